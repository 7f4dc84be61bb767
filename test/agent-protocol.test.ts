/**
 * The agent protocol has one schema (the op descriptors' `kernel.schema`, src/ops/): the driver
 * formats by it, and the agent's command table (native/agent/protocol.inc) is generated from it.
 * Here: the generated file is current, the formatter refuses what the schema does not allow, and
 * a real agent refuses malformed requests without running anything.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCommand, parseReply, PROTOCOL_COMMANDS } from '../src/ops/agent-protocol.js';
import { agentSchema, OPS } from '../src/ops/table.js';
import { callAgent } from '../src/verify/kernel/call.js';
import { KernelWorld } from '../src/verify/kernel/world.js';
import { isRoot, itWith } from './helpers/features.js';
import { repoRoot } from './helpers/processes.js';

describe('the schema', () => {
  it('native/agent/protocol.inc is what the descriptors generate (npm run gen:agent-protocol rewrites it)', () => {
    const check = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'gen-agent-protocol.mjs'), '--check'], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('every op is an agent command of its own name, except state (the driver answers it)', () => {
    const driverOnly = Object.entries(OPS).filter(([, descriptor]) => !('schema' in descriptor.kernel)).map(([op]) => op);
    expect(driverOnly).toEqual(['state']);
    expect(Object.keys(PROTOCOL_COMMANDS)).toEqual(['ping']);
  });

  it('formats each kind of word, and refuses a value the schema does not allow', () => {
    const schema = agentSchema('clone3');
    expect(formatCommand('clone3', schema, [0x20000000n, 17, 'v2', [5, 7], 42, 'a b'])).toBe('clone3 0x20000000 17 v2 5,7 42 na%20b');
    expect(formatCommand('clone3', schema, [0, 0, 'huge', [], null, 'x'])).toBe('clone3 0x0 0 huge - - nx');
    expect(() => formatCommand('clone3', schema, [0, 0, 'v9', [], null, 'x'])).toThrow(new TypeError('agent command clone3 argument 2 must be one of v0, v1, v2, short, long-zero, long-nonzero, huge, got "v9"'));
    expect(() => formatCommand('clone3', schema, [-1, 0, 'v2', [], null, 'x'])).toThrow(new TypeError('agent command clone3 argument 0 must be mask, got -1'));
    expect(() => formatCommand('clone3', schema, [0, 0, 'v2', [], null])).toThrow(new TypeError('agent command clone3 takes 6 arguments, got 5'));
    expect(formatCommand('writeMap', agentSchema('writeMap'), ['/proc/7/uid_map', '0 0 1\n'])).toBe('writeMap /proc/7/uid_map 30203020310a');
    expect(() => formatCommand('writeMap', agentSchema('writeMap'), ['proc/7/uid_map', ''])).toThrow(TypeError);
  });

  it('parses replies by kind, and an agent that breaks the schema is a driver error', () => {
    expect(parseReply('wait', agentSchema('wait'), ['12', 'code', '3'])).toEqual([12, 'code', 3]);
    expect(parseReply('readMap', agentSchema('readMap'), ['3020302031'])).toEqual(['0 0 1']);
    expect(parseReply('signals', agentSchema('signals'), ['10:2', '15:1'])).toEqual(['10:2', '15:1']);
    expect(() => parseReply('wait', agentSchema('wait'), ['12', 'code'])).toThrow(new Error('the agent replied 2 words to wait, the protocol says 3'));
    expect(() => parseReply('getpid', agentSchema('getpid'), ['x1'])).toThrow(new Error('the agent\'s reply to getpid has "x1" where a number belongs'));
  });
});

itWith(isRoot, 'needs root (the agent runs in new pid and mount namespaces)', 'a real agent refuses malformed requests and runs nothing', async () => {
  const world = await KernelWorld.start(5000);
  try {
    const root = world.task('root')!;
    const send = async (command: string): Promise<string[]> => {
      const outcome = await callAgent(root, command, Date.now() + 5000, world.tasks);
      if (outcome.kind !== 'reply') throw new Error(`agent ${outcome.kind}`);
      return outcome.words;
    };
    expect(await send('ping')).toEqual(['ok']);
    expect(await send('nosuch 1')).toEqual(['refused', 'unknown-command']);
    // Wrong counts and kinds: refused before the system call (root would be dead after a kill).
    expect(await send('kill 2')).toEqual(['refused', 'usage']);
    expect(await send('kill 2 9 9')).toEqual(['refused', 'usage']);
    expect(await send('kill 2x 9')).toEqual(['refused', 'bad-argument-0']);
    expect(await send('kill 2 0x9')).toEqual(['refused', 'bad-argument-1']);
    expect(await send('unshare 131072')).toEqual(['refused', 'bad-argument-0']);
    expect(await send('wait some 0 -')).toEqual(['refused', 'bad-argument-0']);
    expect(await send('setns -1 0x0')).toEqual(['refused', 'bad-argument-0']);
    expect(await send('writeMap relative/uid_map -')).toEqual(['refused', 'bad-argument-0']);
    expect(await send('writeMap /proc/self/uid_map 3')).toEqual(['refused', 'bad-argument-1']);
    expect(await send('clone3 0x0 17 v2 1,x - nchild')).toEqual(['refused', 'bad-argument-3']);
    expect(world.stateOf('root')).toBe('running');
    // Well-formed: the kernel's answer.
    expect(await send('getpid')).toEqual(['ok', '2']);
    expect(await send('wait all 0 -')).toEqual(['err', 'ECHILD']);
    expect(await send('close -')).toEqual(['err', 'EBADF']);
  } finally {
    await world.teardown();
  }
});
