{
  "variables": {
    # Warnings are errors in every build of this repository (npm ci, CI, the prebuilds). The
    # install-time fallback on a user's machine (scripts/install.mjs) turns it off: a compiler
    # newer than any we tested may warn about code that is correct, and must not fail the install.
    "nsbridge_werror%": "true"
  },
  "target_defaults": {
    "conditions": [
      ["nsbridge_werror=='true'", { "cflags": ["-Werror"], "cflags_cc": ["-Werror"] }]
    ]
  },
  "targets": [
    {
      "target_name": "nsbridge",
      "sources": [
        "native/addon.cc",
        "native/args.cc",
        "native/child_reaper.cc",
        "native/clone3_probe.cc",
        "native/credentials.cc",
        "native/fd_watcher.cc",
        "native/listing/netns_id.cc",
        "native/listing/ns_info.cc",
        "native/listing/scan_proc.cc",
        "native/namespace_calls.cc",
        "native/ns_kinds.cc",
        "native/net/create_namespace.cc",
        "native/net/namespace_thread.cc",
        "native/net/rtnetlink.cc",
        "native/net/socket_in.cc",
        "native/nsfs_mounts.cc",
        "native/owned_fd.cc",
        "native/pidfd_calls.cc",
        "native/system_error.cc",
        "native/spawn/child.cc",
        "native/spawn/child_plan_builder.cc",
        "native/spawn/clone3_trampoline.cc",
        "native/spawn/launch.cc",
        "native/spawn/resources.cc",
        "native/spawn/spawn_call.cc",
        "native/spawn/spawn_job.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS",
        "_GNU_SOURCE"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags": ["-Wall", "-Wextra"],
      "cflags_cc": ["-fexceptions", "-std=c++20", "-Wall", "-Wextra"]
    },
    {
      "target_name": "nsbridge-agent",
      "type": "executable",
      "sources": [
        "native/agent/agent.cc",
        "native/spawn/clone3_trampoline.cc"
      ],
      "defines": ["_GNU_SOURCE"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags": ["-Wall", "-Wextra"],
      "cflags_cc": ["-fexceptions", "-std=c++20", "-Wall", "-Wextra"]
    },
    {
      "target_name": "nsbridge-init",
      "type": "executable",
      "sources": [
        "native/init/init.cc"
      ],
      "defines": ["_GNU_SOURCE"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags": ["-Wall", "-Wextra"],
      "cflags_cc": ["-fexceptions", "-std=c++20", "-Wall", "-Wextra"]
    }
  ]
}
