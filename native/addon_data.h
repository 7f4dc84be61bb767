// Per-environment state. The addon can be loaded by the main thread and by any number of
// worker threads; each gets its own napi_env and its own AddonData (napi_set_instance_data),
// deleted when that environment is torn down. Never use a process-global JS reference.
#pragma once

#include <napi.h>

#include "spawn/resources.h"

namespace nsbridge {

struct AddonData {
  Napi::FunctionReference owned_fd_class;
  Napi::FunctionReference fd_watcher_class;
  spawn::Resources spawn_resources;  // stacks and /proc fd of the spawn engine
};

inline AddonData& GetAddonData(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

}  // namespace nsbridge
