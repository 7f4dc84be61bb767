/**
 * Real failures carry the model's reason as their hint: raw calls (here, in a child Node process,
 * the two the kernel refuses to a multithreaded process; nothing changes when they fail) and spawn
 * setup steps (spawn-errors.test.ts checks each step's hint text).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { explain } from '../src/model/explain.js';
import { allRules, ruleById } from '../src/model/rules.js';
import { FAILURE_RULES } from '../src/model/failure-rules.js';
import { modelHint } from '../src/model/hint.js';
import '../src/model/model.js';
import { repoRoot } from './helpers/processes.js';

describe('hints from the model', () => {
  it('unshare(user) and setns(own user namespace) from multithreaded Node: EINVAL with the model rule reasons', () => {
    const script = `
      import { unshare, setns, openNamespaceFile } from './dist/raw.js';
      const out = {};
      try { unshare('user'); } catch (e) { out.unshare = { code: e.code, hint: e.hint }; }
      const fd = openNamespaceFile('/proc/self/ns/user');
      try { setns(fd.fd, 'user'); } catch (e) { out.setns = { code: e.code, hint: e.hint }; }
      console.log(JSON.stringify(out));
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const out = JSON.parse(result.stdout);
    expect(out.unshare).toEqual({ code: 'EINVAL', hint: explain({ syscall: 'unshare', code: 'EINVAL', kind: 'user' }) });
    expect(out.unshare.hint).toMatch(/in a process that has other threads/);
    expect(out.setns).toEqual({ code: 'EINVAL', hint: explain({ syscall: 'setns', code: 'EINVAL', kind: 'user' }) });
    expect(out.setns.hint).toMatch(/already in that user namespace/);
  });

  it('explain prefers rules about the kind, then the likelier cause (hintRank), and says nothing it has no rule for', () => {
    expect(explain({ syscall: 'setns', code: 'EINVAL', kind: 'pid' })).toBe(ruleById('setns.pid-not-descendant')?.reason);
    expect(explain({ syscall: ['clone3', 'unshare'], code: 'EPERM', kind: 'net' })).toBe(ruleById('create.needs-cap-sys-admin')?.reason);
    expect(explain({ syscall: 'gid_map', code: 'EPERM' })).toMatch(/^gid_map: without CAP_SETGID/);
    expect(explain({ syscall: 'execve', code: 'ENOENT' })).toBeUndefined();
    // A topic narrows the rules of a call to those about that part of it.
    expect(explain({ syscall: 'clone3', code: 'EEXIST', topic: 'set_tid' })).toBe(ruleById('clone3.set-tid-taken')?.reason);
    expect(explain({ syscall: 'clone3', code: 'EEXIST', topic: 'create' })).toBeUndefined();
  });

  it("the failure rules spawn() and the raw calls read (failure-rules.ts) are exactly the model's, in its order", () => {
    // npm run gen:failure-rules rewrites the file after a model rule changes.
    const fields = ({ id, calls, errno, topic, kinds, reason, hintRank }: (typeof FAILURE_RULES)[number]) => ({ id, calls, errno, topic, kinds, reason, hintRank });
    expect(FAILURE_RULES.map(fields)).toEqual(allRules().filter((rule) => rule.errno !== null).map(fields));
    for (const context of [
      { syscall: 'setns', code: 'EINVAL', kind: 'user' },
      { syscall: ['clone3', 'unshare'], code: 'EPERM', kind: 'net' },
      { syscall: 'gid_map', code: 'EPERM' },
      { syscall: 'execve', code: 'ENOENT' },
      { syscall: 'clone3', code: 'EEXIST', kind: 'pid', topic: 'set_tid' },
      { syscall: ['clone3', 'unshare'], code: 'EPERM', kind: 'pid', topic: 'create' },
    ] as const) {
      expect(modelHint(context)).toBe(explain(context));
    }
  });
});
