"""Checks one stream entry as another service would read it, with nothing but Python's standard library.

stdin: the output of `redis-cli --raw XRANGE stream id id` (the id, then field and value lines).
argv[1]: the expected `data`, as a Python literal; argv[2]: the expected other fields, as a Python literal.
Prints "ok", or the first difference.
"""
import ast
import json
import math
import sys


def reject(name):
    raise ValueError("data holds " + name + ", which is not JSON")


def difference(actual, expected, path):
    if type(actual) is not type(expected):
        return "%s: %s %r, expected %s %r" % (path, type(actual).__name__, actual, type(expected).__name__, expected)
    if isinstance(expected, dict):
        if sorted(actual) != sorted(expected):
            return "%s: keys %r, expected %r" % (path, sorted(actual), sorted(expected))
        for key in expected:
            found = difference(actual[key], expected[key], path + "/" + key)
            if found:
                return found
        return None
    if isinstance(expected, list):
        if len(actual) != len(expected):
            return "%s: %d elements, expected %d" % (path, len(actual), len(expected))
        for i, (a, e) in enumerate(zip(actual, expected)):
            found = difference(a, e, "%s/%d" % (path, i))
            if found:
                return found
        return None
    if isinstance(expected, float) and math.copysign(1.0, actual) != math.copysign(1.0, expected):
        return "%s: %r, expected %r" % (path, actual, expected)
    return None if actual == expected else "%s: %r, expected %r" % (path, actual, expected)


def main():
    # Strict UTF-8: bytes that are not UTF-8 fail here, as they would in any other service.
    lines = sys.stdin.buffer.read().decode("utf-8").split("\n")
    fields = dict(zip(lines[1::2], lines[2::2]))
    data = json.loads(fields.pop("data"), parse_constant=reject)
    found = difference(data, ast.literal_eval(sys.argv[1]), "data")
    if not found and fields != ast.literal_eval(sys.argv[2]):
        found = "fields %r, expected %r" % (fields, ast.literal_eval(sys.argv[2]))
    print(found or "ok")


main()
