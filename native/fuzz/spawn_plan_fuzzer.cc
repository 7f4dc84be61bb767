// libFuzzer harness over the native spawn plan parsing (native/spawn/spawn_plan_parser.h) and the
// ChildPlan built from an accepted plan (native/spawn/child_plan_builder.h). Build and run:
// scripts/fuzz-native.sh.
//
// Each input is decoded (FuzzedDataProvider) into a plan of the shape FromJs reads from JS: every
// field mostly of its expected JS type, sometimes of any other; numbers from an edge-case list
// (NaN, infinities, -0, fractions, 2^31, 2^32, 1e300, ...) or raw; strings with NUL bytes; arrays
// of up to a few thousand elements, sometimes sparse (a JS length up to 2^32-1 over few stored
// elements); id maps of up to 10,000 lines. A rejected plan is an expected outcome and must name
// its field; an accepted one must satisfy plan_invariants.h. Anything else - a sanitizer report,
// an escaping exception, a violated invariant - is a crash.
//
// native/fuzz/corpus/: seed inputs. accepted-plan-* decode to plans the parser accepts;
// regression-* are the crashes this harness found in the parser as it was (each replays to a
// crash on that code, and must pass now). They decode through PlanGenerator below, so a change to
// it invalidates them (re-find them, or drop them).
#include <fuzzer/FuzzedDataProvider.h>
#include <math.h>
#include <sys/mount.h>
#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "../ns_kinds.h"
#include "../spawn/child_plan_builder.h"
#include "../spawn/spawn_plan_parser.h"
#include "plain_plan_source.h"
#include "plan_invariants.h"

namespace nsbridge::fuzz {
namespace {

using spawn::ValueKind;

/** The JS shape src/spawn/plan-builder.ts gives each NativeSpawnPlan field. */
enum class Shape {
  kStrings,          // string[]
  kNullableStrings,  // string[] | null
  kNullableString,   // string | null
  kIdMap,            // uid_map / gid_map text | null
  kSetgroups,        // 'allow' | 'deny' | null
  kInt,              // number
  kFlags,            // number: CLONE_NEW* mask
  kId,               // number: -1 or a uid / gid
  kInts,             // number[]
  kGroups,           // number[] | null: gids
  kJoinFds,          // number[]: at most 8 fds
  kJoinTypes,        // number[]: a CLONE_NEW* flag per joinFds entry
  kStdio,            // number[]: fd or -1 / -2 / -3
  kBoolean,          // boolean
  kPropagation,      // number: 0 or MS_REC | MS_PRIVATE / MS_SLAVE / MS_SHARED
  kPersistKinds,     // number[]: distinct CLONE_NEW* flags, at most 8
  kPersistPaths,     // string[]: one per persistKinds entry
};

struct FieldSpec {
  const char* name;
  Shape shape;
};

// In the order of NativeSpawnPlan (src/native/binding.ts).
constexpr FieldSpec kFields[] = {
    {"paths", Shape::kStrings},       {"argv", Shape::kStrings},
    {"envp", Shape::kNullableStrings}, {"cwd", Shape::kNullableString},  // null: refused now (decoding unchanged for the corpus)
    {"cloneFlags", Shape::kFlags},    {"unshareFlags", Shape::kFlags},
    {"joinPidfd", Shape::kInt},       {"joinMask", Shape::kFlags},
    {"joinFds", Shape::kJoinFds},     {"joinTypes", Shape::kJoinTypes},
    {"shareMemory", Shape::kBoolean}, {"setTid", Shape::kInts},
    {"cgroupFd", Shape::kInt},        {"uidMap", Shape::kIdMap},
    {"gidMap", Shape::kIdMap},        {"setgroups", Shape::kSetgroups},
    {"timeOffsets", Shape::kNullableString}, {"hostname", Shape::kNullableString},
    {"domainname", Shape::kNullableString}, {"mountProc", Shape::kNullableString},
    {"uid", Shape::kId},              {"gid", Shape::kId},
    {"groups", Shape::kGroups}, {"stdio", Shape::kStdio},
    {"pdeathSignal", Shape::kInt},
    // added later: last, so the corpus decodes the earlier fields as before
    {"propagation", Shape::kPropagation}, {"root", Shape::kNullableString},
    {"rootFd", Shape::kInt},          {"cwdFd", Shape::kInt},
    {"keepCapabilities", Shape::kBoolean}, {"persistKinds", Shape::kPersistKinds},
    {"persistPaths", Shape::kPersistPaths}, {"pidForChildrenOnly", Shape::kBoolean},
    {"loopbackUp", Shape::kBoolean},
};

constexpr double kEdgeNumbers[] = {
    NAN, INFINITY, -INFINITY, -0.0, 0.5, -0.5, 1.5, -1.5, 1e-300, 5e-324,
    -1, -2, -3, -4, 0, 1, 2, 3, 1023, 1024, 1025,
    2147483647.0, 2147483648.0, -2147483648.0, -2147483649.0, 2147483647.5,
    4294967294.0, 4294967295.0, 4294967296.0, -4294967296.0,
    9007199254740992.0, 9007199254740993.0, 1.8446744073709552e19, 1e300, -1e300,
    std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
};

PlainValue Null() {
  PlainValue v;
  v.kind = ValueKind::kNull;
  return v;
}

PlainValue Num(double d) {
  PlainValue v;
  v.kind = ValueKind::kNumber;
  v.number = d;
  return v;
}

PlainValue Str(std::string s) {
  PlainValue v;
  v.kind = ValueKind::kString;
  v.string = std::move(s);
  return v;
}

/**
 * Decodes plan fields. Each field is either clean (a value FromJs accepts, so the parser gets past
 * it to the fields after it and to the ChildPlan builder) or, now and then, dirty (edge values:
 * NaN, fractions, out-of-range numbers, NUL bytes, sparse arrays, wrong element kinds) or of a
 * wrong JS kind altogether. The mix keeps every field's rejection reachable while a good share of
 * inputs still parse.
 */
class PlanGenerator {
 public:
  explicit PlanGenerator(FuzzedDataProvider& fdp) : fdp_(fdp) {}

  PlainValue Field(Shape shape) {
    if (fdp_.ConsumeIntegral<uint8_t>() >= 250) return AnyValue(0);
    dirty_ = Chance(12);
    switch (shape) {
      case Shape::kStrings: return Array(1, 4000, [&] { return StringElement(); });
      case Shape::kNullableStrings: return Chance(4) ? Null() : Array(0, 4000, [&] { return StringElement(); });
      case Shape::kNullableString: return Chance(3) ? Null() : Str(String());
      case Shape::kIdMap: return Chance(3) ? Null() : Str(Chance(2) ? IdMap() : String());
      case Shape::kSetgroups: {
        switch (fdp_.ConsumeIntegralInRange(0, 3)) {
          case 0: return Null();
          case 1: return Str("allow");
          case 2: return Str("deny");
          default: return dirty_ ? Str(String()) : Null();
        }
      }
      case Shape::kInt: return Num(dirty_ ? Number() : SmallInt());
      case Shape::kFlags: return Num(Flags());
      case Shape::kId:
        if (dirty_) return Num(Number());
        return Num(Chance(2) ? -1.0 : static_cast<double>(fdp_.ConsumeIntegralInRange<int64_t>(0, 4294967294)));
      case Shape::kInts: return Array(0, 64, [&] { return IntElement(-4, 4096); });
      case Shape::kGroups: return Chance(3) ? Null() : Array(0, 4000, [&] { return IntElement(0, 65535); });
      case Shape::kJoinFds: {
        join_count_ = Chance(2) ? 0 : fdp_.ConsumeIntegralInRange<size_t>(1, spawn::kMaxJoinFds);
        return Array(join_count_, join_count_, [&] { return IntElement(-1, 64); });
      }
      case Shape::kJoinTypes: return Array(join_count_, join_count_, [&] { return dirty_ ? NumberElement() : Num(OneKind()); });
      case Shape::kStdio: return Array(0, 1024, [&] { return IntElement(-3, 40); });
      case Shape::kBoolean: {
        PlainValue v;
        v.kind = ValueKind::kBoolean;
        v.boolean = fdp_.ConsumeBool();
        return v;
      }
      case Shape::kPropagation: {
        if (dirty_) return Num(Number());
        constexpr double kModes[] = {0, MS_REC | MS_PRIVATE, MS_REC | MS_SLAVE, MS_REC | MS_SHARED};
        return Num(fdp_.PickValueInArray(kModes));
      }
      case Shape::kPersistKinds: {
        persist_count_ = Chance(2) ? 0 : fdp_.ConsumeIntegralInRange<size_t>(1, spawn::kMaxPersist);
        return Array(persist_count_, persist_count_, [&] { return dirty_ ? NumberElement() : Num(OneKind()); });
      }
      case Shape::kPersistPaths: return Array(persist_count_, persist_count_, [&] { return StringElement(); });
    }
    return PlainValue();
  }

 private:
  /** True with probability about 1/n; false once the input is used up (which then decodes to
   *  clean, simple values: FuzzedDataProvider returns the minimum of a range). */
  bool Chance(int n) { return fdp_.ConsumeIntegralInRange(0, n - 1) == n - 1; }

  double SmallInt() { return Chance(8) ? fdp_.ConsumeIntegral<int32_t>() : fdp_.ConsumeIntegralInRange(-4, 64); }

  /** Any number: an edge case, any int32, a small int, or any bit pattern. */
  double Number() {
    switch (fdp_.ConsumeIntegralInRange(0, 3)) {
      case 0: return fdp_.PickValueInArray(kEdgeNumbers);
      case 1: return fdp_.ConsumeIntegral<int32_t>();
      case 2: return fdp_.ConsumeIntegralInRange(-4, 64);
      default: {
        double d;
        uint64_t bits = fdp_.ConsumeIntegral<uint64_t>();
        memcpy(&d, &bits, sizeof d);  // any double, NaN payloads and denormals included
        return d;
      }
    }
  }

  double OneKind() {
    const size_t n = sizeof kNamespaceKinds / sizeof kNamespaceKinds[0];
    return kNamespaceKinds[fdp_.ConsumeIntegralInRange<size_t>(0, n - 1)].flag;
  }

  double Flags() {
    if (dirty_ && Chance(2)) return Number();
    uint32_t mask = 0;
    for (const NamespaceKindInfo& k : kNamespaceKinds) {
      if (fdp_.ConsumeBool()) mask |= k.flag;
    }
    if (dirty_) mask |= 1u << fdp_.ConsumeIntegralInRange(0, 31);  // maybe a non-namespace clone flag
    return static_cast<int32_t>(mask);
  }

  std::string String() {
    if (dirty_ && Chance(4)) return std::string(fdp_.ConsumeIntegralInRange<size_t>(0, 70000), 'x');  // long
    std::string s = fdp_.ConsumeRandomLengthString(256);
    if (!dirty_) s.erase(std::remove(s.begin(), s.end(), '\0'), s.end());  // dirty ones keep NULs
    return s;
  }

  /** An id map of up to 10,000 lines (the kernel takes at most 340: it must get them unchanged). */
  std::string IdMap() {
    const int lines = Chance(2) ? fdp_.ConsumeIntegralInRange(0, 10000) : fdp_.ConsumeIntegralInRange(0, 5);
    uint32_t inside = fdp_.ConsumeIntegral<uint32_t>(), outside = fdp_.ConsumeIntegral<uint32_t>();
    std::string map;
    for (int i = 0; i < lines; i++) {
      map += std::to_string(inside + i) + " " + std::to_string(outside + i) + " 1\n";
    }
    return map;
  }

  PlainValue StringElement() {
    if (dirty_ && Chance(4)) return AnyValue(1);
    std::string s = fdp_.ConsumeRandomLengthString(64);
    if (!dirty_) s.erase(std::remove(s.begin(), s.end(), '\0'), s.end());
    return Str(std::move(s));
  }

  PlainValue NumberElement() { return Chance(4) ? AnyValue(1) : Num(Number()); }

  PlainValue IntElement(int lo, int hi) {
    return dirty_ ? NumberElement() : Num(fdp_.ConsumeIntegralInRange(lo, hi));
  }

  /** Clean: min_length..max_length elements, or now and then up to a few thousand (if max_length
   *  allows); dirty: any length up to a few thousand, maybe sparse. */
  template <typename MakeElement>
  PlainValue Array(size_t min_length, size_t max_length, MakeElement make) {
    PlainValue v;
    v.kind = ValueKind::kArray;
    size_t n = 0;
    if (dirty_) {
      n = Chance(2) ? fdp_.ConsumeIntegralInRange<size_t>(0, 4000) : fdp_.ConsumeIntegralInRange<size_t>(0, 12);
    } else if (max_length > 12 && Chance(8)) {
      n = fdp_.ConsumeIntegralInRange<size_t>(min_length, max_length);
    } else {
      n = fdp_.ConsumeIntegralInRange<size_t>(min_length, std::min<size_t>(max_length, std::max<size_t>(min_length, 12)));
    }
    for (size_t i = 0; i < n; i++) v.elements.push_back(make());
    v.length = static_cast<uint32_t>(v.elements.size());
    if (dirty_ && Chance(4)) {
      // A sparse JS array: `const a = []; a.length = N` stores nothing but says N.
      v.length = std::max(v.length, Chance(2) ? std::numeric_limits<uint32_t>::max() : fdp_.ConsumeIntegral<uint32_t>());
    }
    return v;
  }

  /** A value of any JS kind (depth-limited). */
  PlainValue AnyValue(int depth) {
    PlainValue v;
    switch (fdp_.ConsumeIntegralInRange(0, 6)) {
      case 0: return v;  // undefined
      case 1: return Null();
      case 2:
        v.kind = ValueKind::kBoolean;
        v.boolean = fdp_.ConsumeBool();
        return v;
      case 3: return Num(Number());
      case 4: return Str(fdp_.ConsumeRandomLengthString(32));
      case 5: {
        if (depth >= 2) return v;
        const bool was_dirty = dirty_;
        dirty_ = true;
        PlainValue array = Array(0, 12, [&] { return AnyValue(depth + 1); });
        dirty_ = was_dirty;
        return array;
      }
      default:
        v.kind = ValueKind::kOther;  // an object, function, symbol or bigint
        return v;
    }
  }

  FuzzedDataProvider& fdp_;
  bool dirty_ = false;
  size_t join_count_ = 0;  // joinFds' length, which a clean joinTypes repeats
  size_t persist_count_ = 0;  // persistKinds' length, which a clean persistPaths repeats
};

/** A rejection must name one of the plan's fields, the way FromJs's TypeError does. */
void CheckRejection(const std::string& message) {
  const std::string prefix = "spawn plan field \"";
  NSBRIDGE_FUZZ_CHECK(message.compare(0, prefix.size(), prefix) == 0);
  bool named = false;
  for (const FieldSpec& f : kFields) {
    named = named || message.compare(prefix.size(), strlen(f.name) + 10,
                                     std::string(f.name) + "\" must be ") == 0;
  }
  NSBRIDGE_FUZZ_CHECK(named);
}


/** launch.cc's stdio resolution, with made-up fds for the socketpairs and /dev/null. */
std::vector<int> ResolveStdio(const std::vector<int>& slots) {
  std::vector<int> fds(slots.size());
  for (size_t i = 0; i < slots.size(); i++) {
    switch (slots[i]) {
      case spawn::kStdioPipe: fds[i] = 2000 + static_cast<int>(i); break;
      case spawn::kStdioDevNull: fds[i] = 1999; break;
      case spawn::kStdioClosed: fds[i] = -1; break;
      default: fds[i] = slots[i];
    }
  }
  return fds;
}

}  // namespace
}  // namespace nsbridge::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nsbridge::fuzz;
  FuzzedDataProvider fdp(data, size);
  PlanGenerator generate(fdp);
  PlainPlanSource source;
  for (const FieldSpec& f : kFields) {
    if (fdp.ConsumeIntegralInRange(0, 63) == 63) continue;  // a missing field: undefined
    source.fields[f.name] = generate.Field(f.shape);
  }
  HostFacts facts;
  facts.close_range_cloexec = fdp.ConsumeBool();
  facts.max_fd = fdp.ConsumeIntegralInRange(3, 1 << 20);
  facts.proc_fd = fdp.ConsumeIntegralInRange(-1, 1000);
  facts.parent_pid_in_proc = fdp.ConsumeIntegral<int32_t>();

  nsbridge::spawn::SpawnJob job;
  try {
    job = nsbridge::spawn::ParseSpawnPlan(source);
  } catch (const PlanRejected& e) {
    CheckRejection(e.what());
    return 0;  // a bad plan refused with a TypeError: the expected outcome
  }
  CheckParsedJob(job);
  const std::vector<int> stdio = ResolveStdio(job.stdio);
  nsbridge::spawn::ChildPlanBuilder builder(job, stdio, facts);
  CheckChildPlan(job, stdio, facts, builder.plan());
  return 0;
}
