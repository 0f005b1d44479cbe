# syntax=docker/dockerfile:1

# ---- Stage 1: build the fat jar ------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build

# The pom alone first, so the dependency layer is cached until the pom changes.
COPY pom.xml .
RUN mvn -B -q dependency:go-offline

COPY src ./src
COPY conf ./conf
RUN mvn -B -q package -DskipTests

# ---- Stage 2: run it -----------------------------------------------------------------------
FROM eclipse-temurin:17-jre
WORKDIR /app

RUN groupadd --system orion \
 && useradd --system --gid orion --home-dir /app --no-create-home --shell /usr/sbin/nologin orion

COPY --from=build /build/target/orion-bus.jar /app/orion-bus.jar
# The default configuration. Override it by mounting a volume at /app/conf
# (e.g. -v "$PWD/my-conf:/app/conf:ro"), or point ORION_CONF at another file.
COPY --from=build /build/conf/ /app/conf/

# Configuration, lowest precedence first:
#   1. the JSON file at $ORION_CONF (default /app/conf/config.json);
#   2. environment variables prefixed ORION_, each overriding one config key: the rest of the
#      name is the key path in upper snake case, with "__" between nested keys or array indexes,
#      e.g. ORION_REDIS__CONNECTION_STRING=redis://redis:6379 sets redis.connectionString,
#      ORION_CONSUMERS__0__INSTANCES=4 sets consumers[0].instances.
# JAVA_OPTS passes JVM flags, e.g. -XX:MaxRAMPercentage=75.
# The image is configured through them: Redis at the host "redis" (a compose service or a k8s Service),
# the operations HTTP server on 8080. Override any of them with -e / env:.
# Writes over HTTP (POST /publish, POST /scale) need a bearer token: without ORION_HTTP__TOKEN only
# clients on the container's own loopback may write, so nobody outside can. Set it at run time, never
# here: docker run -e ORION_HTTP__TOKEN="$(openssl rand -hex 32)" ... (or from a Kubernetes Secret).
# HTTPS: ORION_HTTP__TLS_CERT_PATH and ORION_HTTP__TLS_KEY_PATH name mounted PEM files.
ENV ORION_CONF=/app/conf/config.json \
    ORION_REDIS__CONNECTION_STRING=redis://redis:6379 \
    ORION_HTTP__ENABLED=true \
    ORION_HTTP__PORT=8080 \
    JAVA_OPTS=""

USER orion
EXPOSE 8080

# exec makes the JVM PID 1, so SIGTERM from `docker stop` reaches it and the Vert.x launcher's
# shutdown hook undeploys every verticle.
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app/orion-bus.jar -conf ${ORION_CONF:-/app/conf/config.json}"]
