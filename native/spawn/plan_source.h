// Where the spawn plan parser (spawn_plan_parser.h) reads from: a PlanSource. Two exist: the N-API
// one over the JS plan object (spawn_job.cc) and a plain C++ one the fuzzer builds
// (native/fuzz/plain_plan_source.h). Keeping the parser behind this seam is what lets libFuzzer
// run the exact checks FromJs runs, without Node.
#pragma once

#include <stdint.h>

#include <concepts>
#include <string>

namespace nsbridge::spawn {

/** The JS type of a value, as far as the parser cares. */
enum class ValueKind { kUndefined, kNull, kBoolean, kNumber, kString, kArray, kOther };

/**
 * A source hands out Values: one per field (Field, read once) and one per array element (Element,
 * read once), and answers questions about them. The parser asks Kind first and calls the other
 * accessors only for the matching kind (Boolean for kBoolean, Number for kNumber, String for
 * kString, Length / Element for kArray). Length is the JS length: a sparse array may be longer
 * than it has elements (a hole reads as undefined), so the parser must never allocate by it
 * alone. Fail reports a bad plan (a TypeError in JS) and does not return.
 */
template <typename S>
concept PlanSource = requires(S& s, const typename S::Value& v, uint32_t i, const std::string& message) {
  { s.Field("paths") } -> std::same_as<typename S::Value>;
  { s.Kind(v) } -> std::same_as<ValueKind>;
  { s.Boolean(v) } -> std::same_as<bool>;
  { s.Number(v) } -> std::same_as<double>;
  { s.String(v) } -> std::same_as<std::string>;
  { s.Length(v) } -> std::same_as<uint32_t>;
  { s.Element(v, i) } -> std::same_as<typename S::Value>;
  s.Fail(message);
};

}  // namespace nsbridge::spawn
