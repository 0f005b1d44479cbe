package io.orion.bus.ops;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The configured bearer token, compared in constant time: both sides are hashed first, so that neither the content
 * nor the length of the token shows in the time a comparison takes. The token itself is not kept.
 */
final class BearerToken {

  private static final String SCHEME = "Bearer ";

  private final byte[] digest;

  BearerToken(String token) {
    this.digest = sha256(token);
  }

  /** Whether an {@code Authorization} header value (or null) is {@code Bearer <the token>}. */
  boolean matches(String authorization) {
    boolean bearer = authorization != null && authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    String given = bearer ? authorization.substring(SCHEME.length()).trim() : "";
    // Compared even when the scheme is wrong, so that the answer takes the same time.
    return MessageDigest.isEqual(digest, sha256(given)) && bearer;
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
