// A PlanSource (native/spawn/plan_source.h) over plain C++ values, standing in for the JS plan
// object in the fuzzer: a field is a PlainValue, an array may be sparse (a JS length larger than
// its stored elements; the rest are holes that read as undefined, as in JS).
#pragma once

#include <stdint.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "../spawn/plan_source.h"

namespace nsbridge::fuzz {

using spawn::ValueKind;

struct PlainValue {
  ValueKind kind = ValueKind::kUndefined;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<PlainValue> elements;  // kArray: the stored elements
  uint32_t length = 0;               // kArray: the JS length, >= elements.size()
};

/** What Fail throws: the TypeError FromJs would have thrown. */
struct PlanRejected : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class PlainPlanSource {
 public:
  using Value = const PlainValue*;

  std::map<std::string, PlainValue> fields;  // a missing field reads as undefined

  Value Field(const char* name) {
    auto it = fields.find(name);
    return it == fields.end() ? &undefined_ : &it->second;
  }
  ValueKind Kind(const Value& v) { return v->kind; }
  bool Boolean(const Value& v) { return v->boolean; }
  double Number(const Value& v) { return v->number; }
  std::string String(const Value& v) { return v->string; }
  uint32_t Length(const Value& v) { return v->length; }
  Value Element(const Value& v, uint32_t i) { return i < v->elements.size() ? &v->elements[i] : &undefined_; }
  [[noreturn]] void Fail(const std::string& message) { throw PlanRejected(message); }

 private:
  PlainValue undefined_;
};

static_assert(spawn::PlanSource<PlainPlanSource>);

}  // namespace nsbridge::fuzz
