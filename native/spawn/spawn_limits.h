// Limits of a spawn plan: the parser (spawn_plan_parser.h) enforces them, the ChildPlan builder
// and the child (child.cc, whose stack arrays are sized by them) rely on them. Plain constants, no
// other header: child.cc, which may use nothing outside itself, includes this file too.
// src/spawn/options.ts rejects larger requests first, with its own copy of the stdio limit.
#pragma once

#include <stddef.h>

namespace nsbridge::spawn {

constexpr size_t kMaxJoinFds = 8;        // one fd per namespace kind
constexpr size_t kMaxStdioSlots = 1024;  // the report / go pipes are moved above the last slot
constexpr size_t kMaxPersist = 8;        // one bind mount per namespace kind

}  // namespace nsbridge::spawn
