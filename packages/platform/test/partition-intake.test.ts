// The intake of one partition, driven by a simulated partition (fetch, resolve, pause, seek) and lanes that
// finish in random order: every message is taken exactly once, each key's messages in offset order, the
// commit point never passes a message that is not finished, and what is kept stays bounded while one key is
// stuck.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartitionIntake } from '../src/kafka/partition-intake';

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Run {
  handled: Map<string, number[]>;
  mostTracked: number;
  mostQueued: number;
  handledWhileStuck: number;
  others: number;
  pauses: number;
  seeks: number;
}

function simulate(seed: number, bounds = { perKey: 5, perPartition: 40 }): Run {
  const rnd = random(seed);
  const base = 1_000;
  // 4,000 messages: a third of them of one hot key (its first one is stuck for a long while), the rest of
  // 60 others.
  const log = Array.from({ length: 4_000 }, (_, i) => ({
    offset: base + i,
    key: i === 10 || rnd() < 0.33 ? 'hot' : `k${Math.floor(rnd() * 60)}`,
  }));
  const stuckOffset = base + 10;
  const intake = new PartitionIntake('t', 0, bounds);
  const lanes = new Map<string, number[]>();
  const taken = new Set<number>();
  const finished = new Set<number>();
  const handled = new Map<string, number[]>();
  let position = base;
  let seek: number | undefined;
  let paused = false;
  let stuck = true;
  const run: Run = {
    handled,
    mostTracked: 0,
    mostQueued: 0,
    handledWhileStuck: 0,
    others: log.filter((m) => m.key !== 'hot').length,
    pauses: 0,
    seeks: 0,
  };

  for (let step = 0; finished.size < log.length; step++) {
    assert.ok(step < 200_000, 'the simulation finishes');
    if (step === 20_000) stuck = false;
    if (seek !== undefined) [position, seek] = [seek, undefined];
    // A fetch: up to 30 messages from where fetching goes on.
    if (!paused) {
      for (const m of log.slice(position - base, position - base + 1 + Math.floor(rnd() * 30))) {
        const admission = intake.admit(m.offset, m.key);
        if (admission === 'stop') {
          paused = true;
          run.pauses += 1;
          break;
        }
        if (admission === 'take') {
          assert.ok(!taken.has(m.offset), `offset ${m.offset} taken twice`);
          taken.add(m.offset);
          lanes.set(m.key, [...(lanes.get(m.key) ?? []), m.offset]);
        }
        position = m.offset + 1;
      }
    }
    run.mostTracked = Math.max(run.mostTracked, intake.tracked);
    run.mostQueued = Math.max(run.mostQueued, intake.queued);
    // Some lanes finish their head.
    for (const [key, queue] of lanes) {
      if (rnd() < 0.5) continue;
      if (stuck && queue[0] === stuckOffset) continue;
      const offset = queue.shift()!;
      if (queue.length === 0) lanes.delete(key);
      intake.finish(offset, key);
      finished.add(offset);
      handled.set(key, [...(handled.get(key) ?? []), offset]);
      if (stuck && key !== 'hot') run.handledWhileStuck += 1;
      const point = intake.commitPoint()!;
      for (let o = base; o < point; o++) assert.ok(finished.has(o), `commit point ${point} passes ${o}`);
      if (stuck) assert.ok(point <= stuckOffset, 'the commit point never passes the stuck message');
      const from = intake.rereadFrom();
      if (from !== undefined) {
        seek = from;
        intake.soughtTo(from);
        run.seeks += 1;
      }
      if (paused && intake.canResume()) paused = false;
    }
  }
  return run;
}

for (const seed of [1, 2, 3, 42]) {
  test(`seed ${seed}: every message once, in order per key; bounded; the other keys flow past a stuck one`, () => {
    const run = simulate(seed);
    for (const [key, offsets] of run.handled) {
      assert.deepEqual(
        offsets,
        [...offsets].sort((a, b) => a - b),
        `key ${key} in order`,
      );
    }
    assert.equal(
      run.handledWhileStuck,
      run.others,
      'every other key was handled while the hot key was stuck',
    );
    assert.ok(run.mostQueued <= 40, `${run.mostQueued} queued`);
    // Offsets (at most twice the unfinished ones plus the compaction slack), keys and deferred keys.
    assert.ok(run.mostTracked <= 2 * 40 + 65 + 61 + 1, `${run.mostTracked} tracked`);
    assert.ok(run.seeks > 0, "the hot key's deferred messages were read again");
  });
}

test('a partition whose lanes are all slow stops taking in at its bound', () => {
  const intake = new PartitionIntake('t', 0, { perKey: 5, perPartition: 10 });
  const admissions = Array.from({ length: 12 }, (_, i) => intake.admit(i, `k${i}`));
  assert.deepEqual(admissions.slice(0, 10), Array(10).fill('take'));
  assert.equal(admissions[10], 'stop');
  assert.equal(intake.canResume(), false);
  for (let i = 0; i < 5; i++) intake.finish(i, `k${i}`);
  assert.equal(intake.canResume(), true);
  assert.equal(intake.commitPoint(), 5);
  // Fetching resumes at the message that stopped it.
  assert.equal(intake.admit(10, 'k10'), 'take');
});
