// @skills/integrations (issue 15), on SQLite in bench/.data:
// - Claude Code hook deliveries handled (validated, joined, recorded): PreToolUse + PostToolUse
//   pairs through createClaudeCodeIngest, one delivery per call as the server receives them —
//   rate (limit ≥ 2,000/s) and p99 per delivery (limit < 5 ms); beside it recordInvocations of
//   one invocation per call, the floor every recorded run pays;
// - an OTLP export of 1,000 tool_result log records ingested in one request (limit < 100 ms);
// - skills import-claude's importTranscripts over generated transcripts (BENCH_TRANSCRIPT_MB,
//   default 1024) against reading and JSON-parsing the same files with nothing else (limit
//   ≥ 50 MB/s, the reference printed beside it).
import { mkdirSync, rmSync, writeFileSync, readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClaudeCodeIngest, importTranscripts } from '@skills/integrations';
import { openStore, recordInvocations } from '@skills/storage';
import { info, quantile, report } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, '.data', 'integrations');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

// Hooks.
{
  const store = await openStore(join(dir, 'hooks.db'));
  const ingest = createClaudeCodeIngest(store);
  const RUNS = Number(process.env.BENCH_HOOK_RUNS ?? 5000);
  const skills = ['pdf', 'xlsx', 'docx', 'deploy', 'review', 'agent-run'];
  const hook = (event, i) => ({
    session_id: `s-${i % 50}`,
    prompt_id: `p-${i}`,
    cwd: '/home/alice/app',
    hook_event_name: event,
    tool_name: 'Skill',
    tool_input: { skill: skills[i % skills.length] },
    tool_use_id: `toolu_${i}`,
    ...(event === 'PreToolUse' ? {} : { tool_response: {}, duration_ms: 1000 + (i % 900) }),
  });
  for (let i = 0; i < 200; i++) {
    await ingest.hooks(hook('PreToolUse', -1 - i));
    await ingest.hooks(hook('PostToolUse', -1 - i));
  }
  // 16 Claude Code sessions at once, each delivering its runs' hooks one after the other, as
  // Claude Code does (deliveries that arrive together share a transaction: group commit).
  const SESSIONS = 16;
  const times = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: SESSIONS }, async (_, s) => {
      for (let i = s; i < RUNS; i += SESSIONS) {
        for (const event of ['PreToolUse', 'PostToolUse']) {
          const t = performance.now();
          await ingest.hooks(hook(event, i), { userId: 'alice' });
          times.push(performance.now() - t);
        }
      }
    }),
  );
  const elapsed = performance.now() - start;
  times.sort((a, b) => a - b);
  const floor = [];
  for (let i = 0; i < 2000; i++) {
    const t = performance.now();
    await recordInvocations(store, [
      { id: `floor-${i}`, skill_name: 'pdf', session_id: 's', invoked_at: Date.now(), completed: true, duration_seconds: 1 },
    ]);
    floor.push(performance.now() - t);
  }
  floor.sort((a, b) => a - b);
  info(
    'hook deliveries',
    `${(2 * RUNS).toLocaleString('en-US')} (${RUNS.toLocaleString('en-US')} skill runs, PreToolUse + PostToolUse, 16 sessions at once)`,
  );
  report('hook deliveries handled per second', (2 * RUNS) / (elapsed / 1000), 2000, '/s', 'higher');
  report('hook delivery p99', quantile(times, 0.99), 5, 'ms', 'lower');
  info('hook delivery p50', `${quantile(times, 0.5).toFixed(3)} ms`);
  info(
    'same run, recordInvocations of one invocation per call (the floor of a close), p50 / p99',
    `${quantile(floor, 0.5).toFixed(3)} / ${quantile(floor, 0.99).toFixed(3)} ms`,
  );

  // OTLP: 1,000 tool_result records in one export.
  const records = Array.from({ length: 1000 }, (_, i) => ({
    timeUnixNano: String(BigInt(Date.now() - 60_000 + i) * 1_000_000n),
    body: { stringValue: 'claude_code.tool_result' },
    attributes: Object.entries({
      'event.name': 'tool_result',
      'session.id': `o-${i % 20}`,
      'user.id': 'u-1',
      tool_name: 'Skill',
      tool_use_id: `otlp_${i}`,
      success: i % 7 ? 'true' : 'false',
      duration_ms: String(500 + i),
      tool_parameters: JSON.stringify({ skill_name: skills[i % skills.length] }),
    }).map(([key, value]) => ({ key, value: { stringValue: value } })),
  }));
  const exports = [];
  for (let round = 0; round < 5; round++) {
    const request = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'claude-code' } }] },
          scopeLogs: [
            {
              logRecords: records.map((r) => ({
                ...r,
                attributes: r.attributes.map((a) =>
                  a.key === 'tool_use_id' ? { key: a.key, value: { stringValue: `${a.value.stringValue}_${round}` } } : a,
                ),
              })),
            },
          ],
        },
      ],
    };
    const t = performance.now();
    const result = await ingest.logs(request);
    exports.push(performance.now() - t);
    if (result.recorded !== 1000) throw new Error(`expected 1,000 recorded, got ${result.recorded}`);
  }
  exports.sort((a, b) => a - b);
  report('OTLP export of 1,000 log records, median of 5', quantile(exports, 0.5), 100, 'ms', 'lower');
  const floors = [];
  for (let round = 0; round < 5; round++) {
    const batch = Array.from({ length: 1000 }, (_, i) => ({
      id: `floor_${round}_${i}`,
      skill_name: skills[i % skills.length],
      session_id: `o-${i % 20}`,
      user_id: 'u-1',
      invoked_at: Date.now() - 60_000 + i,
      completed: i % 7 !== 0,
      duration_seconds: (500 + i) / 1000,
    }));
    const t = performance.now();
    await recordInvocations(store, batch);
    floors.push(performance.now() - t);
  }
  floors.sort((a, b) => a - b);
  info('same run, recordInvocations of 1,000 such invocations in one call, median of 5', `${quantile(floors, 0.5).toFixed(1)} ms`);
  await store.close();
}

// Transcripts.
{
  const MB = Number(process.env.BENCH_TRANSCRIPT_MB ?? 1024);
  const projects = join(dir, 'projects');
  let written = 0;
  let file = 0;
  const filler = 'x'.repeat(600);
  const old = new Date(Date.now() - 86_400_000);
  while (written < MB * 1024 * 1024) {
    const project = join(projects, `-home-user-p${file % 20}`);
    mkdirSync(project, { recursive: true });
    const session = `sess-${file}`;
    const lines = [];
    const t0 = Date.UTC(2026, 10, 1) + file * 3_600_000;
    for (let i = 0; i < 400; i++) {
      const at = new Date(t0 + i * 5000).toISOString();
      if (i % 20 === 5) {
        lines.push(
          JSON.stringify({
            type: 'assistant',
            sessionId: session,
            cwd: '/home/user/app',
            version: '2.1.0',
            uuid: `a${i}`,
            timestamp: at,
            message: {
              role: 'assistant',
              content: [
                { type: 'text', text: filler },
                { type: 'tool_use', id: `toolu_${file}_${i}`, name: 'Skill', input: { skill: `skill-${i % 7}` } },
              ],
            },
          }),
        );
      } else if (i % 20 === 6) {
        lines.push(
          JSON.stringify({
            type: 'user',
            sessionId: session,
            uuid: `u${i}`,
            timestamp: at,
            message: {
              role: 'user',
              content: [{ type: 'tool_result', tool_use_id: `toolu_${file}_${i - 1}`, content: filler, is_error: i % 60 === 6 }],
            },
          }),
        );
      } else {
        lines.push(
          JSON.stringify({
            type: i % 2 ? 'assistant' : 'user',
            sessionId: session,
            uuid: `m${i}`,
            timestamp: at,
            message: { role: 'assistant', content: [{ type: 'text', text: filler }] },
          }),
        );
      }
    }
    const path = join(project, `${session}.jsonl`);
    const text = `${lines.join('\n')}\n`;
    writeFileSync(path, text);
    utimesSync(path, old, old);
    written += Buffer.byteLength(text);
    file++;
  }
  const mb = written / 1024 / 1024;
  info('transcripts', `${file.toLocaleString('en-US')} files, ${mb.toFixed(0)} MB in 20 projects`);
  // Reference: read and parse every line of the same files, nothing else.
  let start = performance.now();
  let parsed = 0;
  for (const project of readdirSync(projects)) {
    for (const name of readdirSync(join(projects, project))) {
      for (const line of readFileSync(join(projects, project, name), 'utf8').split('\n')) {
        if (!line) continue;
        JSON.parse(line);
        parsed++;
      }
    }
  }
  const referenceSeconds = (performance.now() - start) / 1000;
  const store = await openStore(join(dir, 'transcripts.db'));
  start = performance.now();
  const summaries = await importTranscripts(store, projects, { userId: 'bench' });
  const importSeconds = (performance.now() - start) / 1000;
  const runs = summaries.reduce((n, s) => n + s.recorded, 0);
  await store.close();
  info('runs recorded', runs.toLocaleString('en-US'));
  report('skills import-claude (importTranscripts)', mb / importSeconds, 50, 'MB/s', 'higher');
  info(
    'same run, reading and JSON-parsing the same files only',
    `${(mb / referenceSeconds).toFixed(1)} MB/s (${parsed.toLocaleString('en-US')} lines); import at ${((100 * referenceSeconds) / importSeconds).toFixed(0)} % of it`,
  );
  void statSync;
}
rmSync(dir, { recursive: true, force: true });
