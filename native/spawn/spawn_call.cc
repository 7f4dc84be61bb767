// The binding's spawn(plan) function (contract: src/native/binding.ts, NativeBinding.spawn).
#include "../calls.h"
#include "../owned_fd.h"
#include "../system_error.h"
#include "spawn_job.h"

namespace nsbridge {

namespace {

Napi::Value Spawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    throw Napi::TypeError::New(env, "The \"plan\" argument must be an object");
  }
  const spawn::SpawnJob job = spawn::SpawnJob::FromJs(info[0].As<Napi::Object>());
  spawn::SpawnOutcome outcome = spawn::Launch(env, job);

  Napi::Object result = Napi::Object::New(env);
  result.Set("pid", Napi::Number::New(env, outcome.pid));
  result.Set("pidfd", outcome.failure.failed ? env.Null() : OwnedFd::New(env, std::move(outcome.pidfd)));
  Napi::Array pipes = Napi::Array::New(env, outcome.pipes.size());
  // From here the caller owns these fds (it wraps each in a socket).
  for (uint32_t i = 0; i < outcome.pipes.size(); i++) pipes.Set(i, Napi::Number::New(env, outcome.pipes[i].release()));
  result.Set("pipes", pipes);
  if (outcome.failure.failed) {
    Napi::Object failure = Napi::Object::New(env);
    failure.Set("step", outcome.failure.step);
    failure.Set("errno", Napi::Number::New(env, outcome.failure.error));
    failure.Set("code", ErrnoName(outcome.failure.error));
    failure.Set("syscall", outcome.failure.syscall);
    Napi::Array candidates = Napi::Array::New(env, outcome.failure.candidates.size());
    for (uint32_t i = 0; i < outcome.failure.candidates.size(); i++) {
      Napi::Object candidate = Napi::Object::New(env);
      const int err = outcome.failure.candidates[i];
      candidate.Set("errno", Napi::Number::New(env, err));
      candidate.Set("code", err == 0 ? env.Null() : Napi::String::New(env, ErrnoName(err)));
      candidate.Set("detail", Napi::Number::New(env, outcome.failure.candidate_details[i]));
      candidates.Set(i, candidate);
    }
    failure.Set("candidates", candidates);
    result.Set("failure", failure);
  } else {
    result.Set("failure", env.Null());
  }
  return result;
}

}  // namespace

void RegisterSpawn(Napi::Env env, Napi::Object exports) {
  exports.Set("spawn", Napi::Function::New(env, Spawn, "spawn"));
}

}  // namespace nsbridge
