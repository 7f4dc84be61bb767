// SpawnJob::FromJs: copies the (already validated, see src/spawn/options/) plan out of JS.
// The checks live in spawn_plan_parser.h (shared with the fuzzer); this file is only the N-API
// PlanSource they read through. Only JS types are re-checked, so a wrong call from JS cannot
// crash the process.
#include <napi.h>

#include <string>

#include "plan_source.h"
#include "spawn_job.h"
#include "spawn_plan_parser.h"

namespace nsbridge::spawn {

namespace {

/** The plan object as a PlanSource: each field and element is read from JS exactly once. */
class NapiPlanSource {
 public:
  using Value = Napi::Value;

  explicit NapiPlanSource(Napi::Object plan) : plan_(plan) {}

  Value Field(const char* name) { return plan_.Get(name); }

  ValueKind Kind(const Value& v) {
    switch (v.Type()) {
      case napi_undefined: return ValueKind::kUndefined;
      case napi_null: return ValueKind::kNull;
      case napi_boolean: return ValueKind::kBoolean;
      case napi_number: return ValueKind::kNumber;
      case napi_string: return ValueKind::kString;
      case napi_object: return v.IsArray() ? ValueKind::kArray : ValueKind::kOther;
      default: return ValueKind::kOther;
    }
  }

  bool Boolean(const Value& v) { return v.As<Napi::Boolean>().Value(); }
  double Number(const Value& v) { return v.As<Napi::Number>().DoubleValue(); }
  std::string String(const Value& v) { return v.As<Napi::String>().Utf8Value(); }
  uint32_t Length(const Value& v) { return v.As<Napi::Array>().Length(); }
  Value Element(const Value& v, uint32_t i) { return v.As<Napi::Array>().Get(i); }

  [[noreturn]] void Fail(const std::string& message) { throw Napi::TypeError::New(plan_.Env(), message); }

 private:
  Napi::Object plan_;
};

static_assert(PlanSource<NapiPlanSource>);

}  // namespace

SpawnJob SpawnJob::FromJs(Napi::Object plan) {
  NapiPlanSource source(plan);
  return ParseSpawnPlan(source);
}

}  // namespace nsbridge::spawn
