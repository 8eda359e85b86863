// Development-only mock of the ApprovalEngine HTTP API (in-memory, plain node http).
// Implements just enough of the contract for the SPA and the e2e scripts; it also serves dist/
// the way the ASP.NET server will (assets at /assets/*, index.html for /designer* and /inbox*).
// Usage: node e2e/mock-server.mjs [port]   (default 5080, or env PORT)
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { descriptors, wdRequest, workOrder } from './mock-flows.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '..', 'dist');
const clone = (x) => structuredClone(x);
const now = () => new Date().toISOString();

// ---------------------------------------------------------------- identities
const WD = (...n) => n.map((i) => `wd:${i}`);
const users = {
  cs1: { displayName: 'Carla Support', departments: ['CS'], permissions: WD(1, 2, 3), rights: [] },
  retention1: { displayName: 'Rita Retention', departments: ['Retention'], permissions: WD(1, 2, 3), rights: [] },
  dealing1: { displayName: 'Dan Dealer', departments: ['Dealing'], permissions: WD(1, 2, 3), rights: [] },
  bo1: { displayName: 'Bob Backoffice', departments: ['Backoffice'], permissions: WD(1, 2, 3, 4), rights: [] },
  supervisor1: { displayName: 'Sue Supervisor', departments: ['CS', 'Retention', 'Dealing', 'Backoffice'], permissions: WD(1, 2, 3, 4, 5), rights: ['incidents:retry', 'instances:cancel', 'wd:export'] },
  maker1: { displayName: 'Mark Maker', departments: ['Operations'], permissions: [], rights: ['submit-applications'] },
  checker1: { displayName: 'Chris Checker', departments: ['Operations'], permissions: ['approve-work-orders'], rights: ['approve-work-orders'] },
  checker2: { displayName: 'Cleo Checker', departments: ['Operations'], permissions: ['approve-work-orders'], rights: ['approve-work-orders'] },
  analyst1: { displayName: 'Ana Analyst', departments: [], permissions: [], rights: ['definitions:edit', 'definitions:approve'] },
  analyst2: { displayName: 'Alex Analyst', departments: [], permissions: [], rights: ['definitions:edit', 'definitions:approve'] },
};
const tokens = new Map();

// ---------------------------------------------------------------- definitions store
const defs = new Map();
function seedDefinition(def, by = 'system') {
  defs.set(def.id, { versions: [{ version: 1, definition: { ...clone(def), version: 1 }, publishedAt: new Date(Date.now() - 86400e3 * 7).toISOString(), publishedBy: by }], draft: null, updatedAt: now() });
}
seedDefinition(wdRequest);
seedDefinition(workOrder);
const published = (id) => { const d = defs.get(id); return d?.versions[d.versions.length - 1]; };
const versionOf = (id, v) => defs.get(id)?.versions.find((x) => x.version === v);
const descOf = (type) => descriptors.find((d) => d.type === type);

// ---------------------------------------------------------------- tiny expression support (mock only)
const KEYWORDS = new Set(['true', 'false', 'null', 'and', 'or', 'not', 'now', 'len', 'contains']);
function checkExpression(expr, variables = {}) {
  const errors = [];
  let depth = 0;
  for (let i = 0; i < expr.length; i++) {
    if (expr[i] === '(') depth++;
    if (expr[i] === ')' && --depth < 0) { errors.push({ position: i, message: 'Unexpected ")"' }); depth = 0; }
  }
  if (depth > 0) errors.push({ position: expr.length, message: 'Missing ")"' });
  if (/(==|!=|>=|<=|>|<|\+|-|\*|\/|&&|\|\|)\s*$/.test(expr.trim())) errors.push({ position: expr.length, message: 'The expression ends with an operator' });
  const re = /"[^"]*"|'[^']*'|([A-Za-z_][A-Za-z0-9_]*)/g;
  let m;
  while ((m = re.exec(expr))) {
    if (!m[1] || KEYWORDS.has(m[1])) continue;
    if (expr[m.index - 1] === '.') continue;
    if (!(m[1] in variables)) errors.push({ position: m.index, message: `Unknown variable '${m[1]}'` });
  }
  const type = /==|!=|>=|<=|>|<|\band\b|\bor\b|&&|\|\||^\s*(true|false)\s*$/.test(expr) ? 'boolean' : /^\s*["']/.test(expr) ? 'string' : /^[\d\s+\-*/().]+$/.test(expr) ? 'number' : (variables[expr.trim()] ?? 'any');
  return { valid: errors.length === 0, type: errors.length ? 'any' : type, errors };
}
function evaluate(expr, vars) {
  try {
    const js = expr.replace(/\band\b/g, '&&').replace(/\bor\b/g, '||').replace(/\bnot\b/g, '!');
    const names = Object.keys(vars).filter((n) => /^[A-Za-z_]\w*$/.test(n));
    return Function(...names, `"use strict"; return (${js});`)(...names.map((n) => vars[n]));
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- validation & matrix
function validate(def) {
  const errors = [];
  const ids = new Set();
  if (!def || !Array.isArray(def.activities)) return [{ path: '/activities', message: 'Activities are missing' }];
  if (!def.name) errors.push({ path: '/name', message: 'The flow needs a name' });
  const varTypes = Object.fromEntries((def.variables ?? []).map((v) => [v.name, v.type]));
  def.activities.forEach((act, i) => {
    if (ids.has(act.id)) errors.push({ path: `/activities/${i}/id`, message: `Duplicate activity id '${act.id}'`, activityId: act.id });
    ids.add(act.id);
    const d = descOf(act.type);
    if (!d) { errors.push({ path: `/activities/${i}/type`, message: `Unknown activity type '${act.type}'`, activityId: act.id }); return; }
    for (const inp of d.inputs) {
      const v = act.inputs?.[inp.name];
      if (inp.required && (v === undefined || v === '' || (Array.isArray(v) && v.length === 0))) errors.push({ path: `/activities/${i}/inputs/${inp.name}`, message: `${inp.displayName} is required`, activityId: act.id });
      if (inp.kind === 'duration' && v && !/^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/.test(v)) errors.push({ path: `/activities/${i}/inputs/${inp.name}`, message: `'${v}' is not an ISO 8601 duration`, activityId: act.id });
      if (inp.kind === 'actions' && Array.isArray(v)) v.forEach((x, k) => {
        if (!x.name) errors.push({ path: `/activities/${i}/inputs/actions/${k}/name`, message: 'An action needs a name', activityId: act.id });
        if (x.guard) { const r = checkExpression(x.guard, varTypes); if (!r.valid) errors.push({ path: `/activities/${i}/inputs/actions/${k}/guard`, message: `Guard: ${r.errors[0].message}`, activityId: act.id }); }
      });
    }
  });
  if (!def.activities.some((x) => x.type === 'Start')) errors.push({ path: '/activities', message: 'The flow needs a Start activity' });
  (def.connections ?? []).forEach((c, i) => {
    if (!ids.has(c.source)) errors.push({ path: `/connections/${i}/source`, message: `Unknown source '${c.source}'` });
    if (!ids.has(c.target)) errors.push({ path: `/connections/${i}/target`, message: `Unknown target '${c.target}'` });
  });
  // reachability
  const start = def.activities.find((x) => x.type === 'Start');
  if (start) {
    const seen = new Set([start.id]);
    const q = [start.id];
    while (q.length) { const s = q.shift(); for (const c of def.connections ?? []) if (c.source === s && !seen.has(c.target)) { seen.add(c.target); q.push(c.target); } }
    for (const it of def.interrupts ?? []) seen.add(it.target);
    def.activities.forEach((act, i) => { if (!seen.has(act.id)) errors.push({ path: `/activities/${i}`, message: `'${act.displayName || act.id}' cannot be reached from Start`, activityId: act.id }); });
  }
  return errors;
}

function matrix(def) {
  const rows = [];
  const byId = new Map(def.activities.map((x) => [x.id, x]));
  const landing = (id, depth = 0) => {
    const t = byId.get(id);
    if (!t || depth > 6) return { status: null, department: null };
    if (t.type === 'UserTask') return { status: t.inputs.status ?? null, department: t.inputs.department ?? null };
    if (t.type === 'End') return { status: t.inputs.status ?? null, department: null };
    const c = def.connections.find((x) => x.source === id);
    return c ? landing(c.target, depth + 1) : { status: null, department: null };
  };
  for (const t of def.activities) {
    if (t.type !== 'UserTask') continue;
    for (const action of t.inputs.actions ?? []) {
      const c = def.connections.find((x) => x.source === t.id && x.outcome === action.name);
      const to = c ? landing(c.target) : { status: null, department: null };
      rows.push({ fromStatus: t.inputs.status ?? null, fromDepartment: t.inputs.department ?? null, action: action.name, actionDisplayName: action.displayName ?? action.name, department: t.inputs.department ?? null, permission: action.permission ?? null, toStatus: to.status, toDepartment: to.department, condition: action.guard ?? null });
    }
  }
  return { rows };
}

// ---------------------------------------------------------------- engine (mock)
function newState(def, input) {
  const variables = {};
  for (const v of def.variables ?? []) variables[v.name] = v.default ?? null;
  Object.assign(variables, input ?? {});
  return { status: 'Running', businessStatus: null, department: null, variables, tasks: [], waits: [], journal: [], visited: [], traversed: [], seq: 0 };
}
function journal(st, e) {
  st.journal.push({ sequence: ++st.seq, timestamp: now(), kind: 'ActivityExecuted', activityId: null, activityType: null, outcome: null, actor: null, action: null, comment: null, changes: [], message: null, ...e });
}
function follow(def, st, source, outcome, ctx) {
  const c = def.connections.find((x) => x.source === source && x.outcome === outcome);
  if (!c) return;
  st.traversed.push({ source, outcome, target: c.target });
  run(def, st, c.target, ctx);
}
function run(def, st, id, ctx, depth = 0) {
  const act = def.activities.find((x) => x.id === id);
  if (!act || depth > 200) return;
  st.visited.push(id);
  const i = act.inputs ?? {};
  const jr = (extra) => journal(st, { activityId: id, activityType: act.type, ...extra });
  switch (act.type) {
    case 'Start': jr({ outcome: 'Done', message: 'Started' }); return follow(def, st, id, 'Done', ctx);
    case 'End': {
      const before = st.businessStatus;
      st.status = 'Completed'; st.businessStatus = i.status ?? st.businessStatus; st.department = null;
      st.tasks = []; st.waits = [];
      jr({ kind: 'Completed', message: `Finished as ${st.businessStatus ?? 'completed'}`, changes: [{ name: 'status', before, after: st.businessStatus }] });
      return;
    }
    case 'UserTask': {
      const before = { status: st.businessStatus, department: st.department };
      st.businessStatus = i.status ?? st.businessStatus; st.department = i.department ?? st.department;
      const dueAt = i.dueIn ? new Date(Date.now() + durMs(i.dueIn)).toISOString() : null;
      const task = { taskId: ctx.newId(), activityId: id, title: i.title || act.displayName || id, department: i.department ?? null, priority: i.priority ?? 2, dueAt, createdAt: now(), actions: i.actions ?? [] };
      st.tasks.push(task);
      if (i.escalate && i.dueIn) st.waits.push({ bookmarkId: ctx.newId(), kind: 'Timer', activityId: id, dueAt, escalation: true, taskId: task.taskId });
      st.status = 'Suspended';
      jr({ kind: 'TaskCreated', message: `Task “${task.title}” for ${task.department}`, changes: [{ name: 'businessStatus', before: before.status, after: st.businessStatus }, { name: 'department', before: before.department, after: st.department }].filter((c) => c.before !== c.after) });
      return;
    }
    case 'Switch': {
      const hit = (i.cases ?? []).find((c) => evaluate(c.condition, st.variables) === true);
      jr({ outcome: hit?.name ?? 'Default' });
      return follow(def, st, id, hit?.name ?? 'Default', ctx);
    }
    case 'Fork': jr({ outcome: (i.branches ?? []).join(', ') }); for (const b of i.branches ?? []) follow(def, st, id, b, ctx); return;
    case 'SetVariables': {
      const changes = [];
      for (const asg of i.assignments ?? []) { const before = st.variables[asg.name]; st.variables[asg.name] = evaluate(asg.value, st.variables) ?? null; changes.push({ name: asg.name, before, after: st.variables[asg.name] }); }
      jr({ outcome: 'Done', changes });
      return follow(def, st, id, 'Done', ctx);
    }
    case 'Timer': case 'Schedule':
      st.waits.push({ bookmarkId: ctx.newId(), kind: 'Timer', activityId: id, dueAt: new Date(Date.now() + (i.duration ? durMs(i.duration) : 3600e3)).toISOString() });
      st.status = 'Suspended'; jr({ kind: 'Waiting', message: 'Timer scheduled' }); return;
    case 'WaitForEvent':
      st.waits.push({ bookmarkId: ctx.newId(), kind: 'Event', activityId: id, eventName: i.eventName ?? 'Event' });
      st.status = 'Suspended'; jr({ kind: 'Waiting', message: `Waiting for ${i.eventName}` }); return;
    case 'LedgerExecute': case 'CallWorkflow':
      if (ctx.dry) { st.waits.push({ bookmarkId: ctx.newId(), kind: 'Job', activityId: id }); st.status = 'Suspended'; jr({ kind: 'Waiting', message: 'Job queued' }); return; }
      jr({ outcome: act.type === 'LedgerExecute' ? 'Done' : (i.outcomes ?? [])[0], message: 'Job executed' });
      return follow(def, st, id, act.type === 'LedgerExecute' ? 'Done' : (i.outcomes ?? [])[0], ctx);
    default: {
      const d = descOf(act.type);
      jr({ outcome: d?.outcomes[0] ?? null });
      if (d?.outcomes[0]) follow(def, st, id, d.outcomes[0], ctx);
    }
  }
}
function durMs(d) {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(d ?? '');
  if (!m) return 3600e3;
  return (((+(m[1] ?? 0) * 24 + +(m[2] ?? 0)) * 60 + +(m[3] ?? 0)) * 60 + +(m[4] ?? 0)) * 1000;
}
const settle = (st) => { if (st.status === 'Suspended' && !st.tasks.length && !st.waits.length) st.status = 'Completed'; if (st.status === 'Running') st.status = st.tasks.length || st.waits.length ? 'Suspended' : 'Completed'; };

function actionsFor(task, st, user) {
  return (task.actions ?? []).map((a) => {
    let available = true, reason = null;
    const inDept = !task.department || user.departments.includes(task.department) || user.system;
    if (!inDept) { available = false; reason = `Only ${task.department} acts on this task`; }
    else if (a.permission && !user.permissions.includes(a.permission) && !user.system) { available = false; reason = `Needs permission ${a.permission}`; }
    else if (a.guard && evaluate(a.guard, st.variables) !== true) { available = false; reason = a.guardMessage || `Condition not met: ${a.guard}`; }
    // fields/comment as the real server lists them (ADR 7); the mock does not check their constraints
    return { name: a.name, displayName: a.displayName ?? a.name, requiredFields: a.requiredFields ?? [], fields: a.fields ?? [], comment: a.comment ?? null, available, reason };
  });
}

/** Applies a resume; throws {status, title, detail, errors} on failure. */
function resume(def, st, r, ctx) {
  if (r.kind === 'action') {
    const task = st.tasks.find((t) => t.taskId === r.taskId);
    if (!task) throw { status: 409, title: 'Task not open', detail: 'The task is no longer open.' };
    const a = actionsFor(task, st, ctx.user).find((x) => x.name === r.action);
    if (!a) throw { status: 409, title: 'Action not available', detail: `“${r.action}” is not an action of this task.` };
    if (!a.available) throw { status: ctx.user.departments.includes(task.department) || ctx.user.system ? 409 : 403, title: 'Action not available', detail: a.reason };
    const errors = {};
    for (const f of a.requiredFields) {
      const v = f === 'comment' ? r.comment : f === 'fee' ? r.data?.fee ?? r.fee : r.data?.[f];
      if (v === undefined || v === null || v === '') errors[f] = [`${f === 'comment' ? 'A comment' : f === 'fee' ? 'The fee' : f} is required for ${a.displayName}`];
    }
    const declared = a.fields.length ? a.fields.map((f) => f.name) : a.requiredFields;
    for (const k of Object.keys(r.data ?? {})) if (!declared.includes(k)) errors[`data.${k}`] = [`“${k}” is not a field of ${a.displayName}.`];
    for (const f of a.fields) if (f.required && (r.data?.[f.name] === undefined || r.data?.[f.name] === null)) errors[`data.${f.name}`] = [`${f.label ?? f.name} is required.`];
    if (Object.keys(errors).length) throw { status: 422, title: 'Missing fields', detail: 'Some required fields are missing.', errors };
    st.tasks = st.tasks.filter((t) => t !== task);
    st.waits = st.waits.filter((w) => w.taskId !== task.taskId);
    const changes = [];
    if (r.data) for (const [k, v] of Object.entries(r.data)) { changes.push({ name: k, before: st.variables[k] ?? null, after: v }); st.variables[k] = v; }
    journal(st, { kind: 'TaskCompleted', activityId: task.activityId, activityType: 'UserTask', outcome: r.action, action: r.action, comment: r.comment ?? null, actor: { userId: ctx.user.name, role: ctx.user.departments.join(',') || null, ipAddress: ctx.ip }, changes, message: `${a.displayName} by ${ctx.user.name}` });
    ctx.onTaskDone?.(task, r.action);
    follow(def, st, task.activityId, r.action, ctx);
  } else if (r.kind === 'event') {
    const it = (def.interrupts ?? []).find((x) => x.event === r.eventName);
    const w = st.waits.find((x) => x.kind === 'Event' && x.eventName === r.eventName);
    if (w) { st.waits = st.waits.filter((x) => x !== w); journal(st, { kind: 'EventReceived', activityId: w.activityId, message: `Event ${r.eventName}` }); follow(def, st, w.activityId, 'Received', ctx); }
    else if (it) { for (const t of st.tasks) ctx.onTaskDone?.(t, null, 'cancelled'); st.tasks = []; st.waits = []; journal(st, { kind: 'Interrupted', message: `Interrupt ${r.eventName}` }); run(def, st, it.target, ctx); }
    else throw { status: 409, title: 'Nobody waits for this event', detail: `No wait or interrupt for “${r.eventName}”.` };
  } else if (r.kind === 'timer' || r.kind === 'job') {
    const w = st.waits.find((x) => x.bookmarkId === r.bookmarkId);
    if (!w) throw { status: 409, title: 'Wait not found', detail: 'The wait is no longer pending.' };
    st.waits = st.waits.filter((x) => x !== w);
    if (w.escalation) { const t = st.tasks.find((x) => x.taskId === w.taskId); st.tasks = st.tasks.filter((x) => x !== t); if (t) ctx.onTaskDone?.(t, 'Escalated'); journal(st, { kind: 'Escalated', activityId: w.activityId, outcome: 'Escalated' }); follow(def, st, w.activityId, 'Escalated', ctx); }
    else { const outcome = r.kind === 'job' ? r.outcome ?? descOf(def.activities.find((a) => a.id === w.activityId)?.type)?.outcomes[0] ?? 'Done' : 'Done'; journal(st, { kind: r.kind === 'job' ? 'JobCompleted' : 'TimerFired', activityId: w.activityId, outcome }); follow(def, st, w.activityId, outcome, ctx); }
  } else throw { status: 400, title: 'Unknown resume kind', detail: `Unknown kind “${r.kind}”.` };
  settle(st);
}

function dryView(st, user) {
  return {
    status: st.status, businessStatus: st.businessStatus, department: st.department, variables: st.variables,
    openTasks: st.tasks.map((t) => ({ taskId: t.taskId, activityId: t.activityId, title: t.title, actions: actionsFor(t, st, { ...user, system: true }).map(({ name, displayName, requiredFields }) => ({ name, displayName, requiredFields })) })),
    waits: st.waits.map(({ bookmarkId, kind, activityId, eventName, dueAt }) => ({ bookmarkId, kind, activityId, eventName: eventName ?? null, dueAt: dueAt ?? null })),
    journal: st.journal, visitedActivities: [...new Set(st.visited)], traversedConnections: st.traversed,
  };
}

// ---------------------------------------------------------------- instances, tasks, WD requests
const instances = new Map();
const tasks = new Map(); // id → task record
const incidents = new Map();
const wdRequests = new Map();
let counter = 1000;
const newId = (p) => `${p}-${++counter}`;

function taskRecord(inst, t, def) {
  return { id: t.taskId, instanceId: inst.id, definitionId: inst.definitionId, definitionVersion: inst.version, activityId: t.activityId, title: t.title, businessStatus: inst.state.businessStatus, department: t.department, status: 'open', assignee: null, priority: t.priority, dueAt: t.dueAt, createdAt: t.createdAt, correlationId: inst.correlationId, subjectType: inst.definitionId === 'wd-request' ? 'wd-request' : null, subjectId: inst.definitionId === 'wd-request' ? inst.correlationId : null, _def: def.id };
}
function syncTasks(inst) {
  const open = new Set(inst.state.tasks.map((t) => t.taskId));
  for (const t of inst.state.tasks) {
    const rec = tasks.get(t.taskId);
    if (!rec) tasks.set(t.taskId, taskRecord(inst, t, inst.def));
    else rec.businessStatus = inst.state.businessStatus;
  }
  for (const rec of tasks.values()) if (rec.instanceId === inst.id && rec.status === 'open' && !open.has(rec.id)) rec.status = 'completed';
  const wd = inst.definitionId === 'wd-request' && wdRequests.get(inst.correlationId);
  if (wd) { wd.status = inst.state.businessStatus ?? wd.status; wd.department = inst.state.department ?? wd.department; }
  inst.updatedAt = now();
}
function startInstance(definitionId, input, correlationId, version) {
  const v = version ? versionOf(definitionId, version) : published(definitionId);
  if (!v) throw { status: 404, title: 'Unknown definition', detail: `No published definition “${definitionId}”.` };
  if (correlationId) for (const i of instances.values()) if (i.definitionId === definitionId && i.correlationId === correlationId) return { inst: i, existing: true };
  const errors = {};
  for (const inp of v.definition.inputs ?? []) if (inp.required && (input?.[inp.name] === undefined || input?.[inp.name] === null)) errors[`input.${inp.name}`] = [`${inp.name} is required`];
  if (Object.keys(errors).length) throw { status: 422, title: 'Invalid input', detail: 'The start input is not valid.', errors };
  const st = newState(v.definition, input);
  const inst = { id: newId('inst'), definitionId, version: v.version, def: v.definition, state: st, correlationId: correlationId ?? null, createdAt: now(), updatedAt: now() };
  run(v.definition, st, v.definition.activities.find((a) => a.type === 'Start').id, { newId: () => newId('t'), dry: false });
  settle(st);
  instances.set(inst.id, inst);
  syncTasks(inst);
  return { inst, existing: false };
}
const summary = (i) => ({ id: i.id, definitionId: i.definitionId, version: i.version, status: i.state.status, businessStatus: i.state.businessStatus, department: i.state.department, correlationId: i.correlationId, createdAt: i.createdAt, updatedAt: i.updatedAt });
const detail = (i) => ({ ...summary(i), variables: i.state.variables, openTasks: [...tasks.values()].filter((t) => t.instanceId === i.id && t.status === 'open').map(publicTask), incidents: [...incidents.values()].filter((x) => x.instanceId === i.id), waits: i.state.waits.map(({ bookmarkId, kind, activityId, eventName, dueAt }) => ({ bookmarkId, kind, activityId, eventName: eventName ?? null, dueAt: dueAt ?? null })), visitedActivities: [...new Set(i.state.visited)] });
const publicTask = (t) => { const { _def, ...rest } = t; return { ...rest, overdue: !!t.dueAt && t.status === 'open' && new Date(t.dueAt) < new Date() }; };

function completeTask(taskId, body, user, ip) {
  const rec = tasks.get(taskId);
  if (!rec) throw { status: 404, title: 'Unknown task', detail: 'The task does not exist.' };
  if (rec.status !== 'open') throw { status: 409, title: 'Task already completed', detail: 'Someone else acted on this task already.' };
  const inst = instances.get(rec.instanceId);
  if (!inst) throw { status: 404, title: 'Unknown instance' };
  if (rec.assignee && rec.assignee !== user.name && !user.system) throw { status: 409, title: 'Claimed by someone else', detail: `The task is claimed by ${rec.assignee}.` };
  const st = clone(inst.state);
  resume(inst.def, st, { kind: 'action', taskId, action: body.action, comment: body.comment, data: body.data }, { newId: () => newId('t'), user, ip, dry: false, onTaskDone: (t, action, status) => { const r = tasks.get(t.taskId); if (r) { r.status = status ?? 'completed'; r.completedAction = action; } } });
  inst.state = st;
  syncTasks(inst);
  return inst;
}

function seedRuntime() {
  const seeds = [
    { customerId: 'C-10021', customerName: 'Anna Keller', tradingAccount: '700123', amount: 1500, available: 4200, openTrades: 2, steps: [] },
    { customerId: 'C-10022', customerName: 'Marco Rossi', tradingAccount: '700456', amount: 250, available: 900, openTrades: 0, steps: [], overdue: true },
    { customerId: 'C-10023', customerName: 'Jin Park', tradingAccount: '700789', amount: 5200, available: 12000, openTrades: 1, steps: [['cs1', 'PassToRetention']] },
    { customerId: 'C-10024', customerName: 'Lea Dubois', tradingAccount: '701012', amount: 800, available: 800.5, openTrades: 3, steps: [['cs1', 'PassToRetention'], ['retention1', 'PassToDealing']] },
    { customerId: 'C-10025', customerName: 'Omar Haddad', tradingAccount: '701345', amount: 3100, available: 5000, openTrades: 0, steps: [['cs1', 'PassToRetention'], ['retention1', 'PassToBackoffice']] },
    { customerId: 'C-10026', customerName: 'Eva Novak', tradingAccount: '701678', amount: 90, available: 1500, openTrades: 0, steps: [['cs1', 'RequestDocuments', 'Please upload proof of address']] },
  ];
  for (const s of seeds) {
    const card = createWd({ customerId: s.customerId, tradingAccount: s.tradingAccount, requestedAmount: s.amount, currency: 'USD', comment: 'Withdrawal to my bank account', availableAmount: s.available, openTrades: s.openTrades }, 'client');
    for (const [u, action, comment] of s.steps) {
      const t = [...tasks.values()].find((x) => x.subjectId === card.id && x.status === 'open');
      completeTask(t.id, { action, comment: comment ?? 'Checked' }, { name: u, ...users[u] }, '10.0.0.12');
    }
    if (s.overdue) { const t = [...tasks.values()].find((x) => x.subjectId === card.id && x.status === 'open'); t.dueAt = new Date(Date.now() - 3 * 3600e3).toISOString(); t.createdAt = new Date(Date.now() - 7 * 3600e3).toISOString(); }
  }
  const wo = startInstance('work-order', { amount: 12000 }, 'WO-5501').inst;
  incidents.set('inc-1', { id: 'inc-1', instanceId: wo.id, activityId: 'check', activityType: 'UserTask', message: 'Notification adapter timed out after 3 attempts', attempts: 3, status: 'open', createdAt: now() });
}

function createWd(body, by) {
  const id = `WD-${++counter}`;
  const at = now();
  const available = body.availableAmount ?? 10000;
  // The stored part of the real server's WdCard; wdCard() adds what it computes per read.
  const card = { id, status: 'New', department: 'CS', priority: 1, customerId: body.customerId, tradingAccount: body.tradingAccount, requestedAmount: body.requestedAmount, currency: body.currency ?? 'USD', availableAmount: available, recommendedAmount: Math.min(available, body.requestedAmount), availableAmountAtCreation: available, fee: 0, createdAt: at, updatedAt: at, transactions: [], created: body.comment ? wdComment(by, body.comment, 'Created', null, at) : null, executedTotal: 0, completionMessage: null };
  wdRequests.set(id, card);
  startInstance('wd-request', { requestedAmount: body.requestedAmount, availableAmount: card.availableAmount, openTrades: body.openTrades ?? 0 }, id);
  return card;
}
const wdComment = (user, text, kind, action, at = now()) => ({ at, user, text, kind, action, copyToClientCard: false });
/** The real server's WdCard: `actions` are the names the caller may take now, `actionDetails` every action with its availability. */
function wdCard(card, user) {
  const t = [...tasks.values()].find((x) => x.subjectId === card.id && x.status === 'open');
  const inst = [...instances.values()].find((i) => i.definitionId === 'wd-request' && i.correlationId === card.id);
  const it = t && inst?.state.tasks.find((x) => x.taskId === t.id);
  const actionDetails = it ? actionsFor(it, inst.state, user) : [];
  const overdue = !!t?.dueAt && new Date(t.dueAt) < new Date();
  // Like the real server: the creation comment, then every action's comment from the journal, oldest first.
  const acted = (inst?.state.journal ?? []).filter((j) => j.kind === 'TaskCompleted' && j.comment).map((j) => wdComment(j.actor?.userId ?? null, j.comment, 'Action', j.action, j.timestamp));
  const { created, ...stored } = card;
  return { ...stored, comments: [...(created ? [created] : []), ...acted], priority: t?.priority ?? card.priority, actions: actionDetails.filter((a) => a.available).map((a) => a.name), actionDetails, overdue, taskId: t?.id ?? null, instanceVersion: inst?.state.seq ?? 0, final: inst?.state.status === 'Completed', executing: false };
}
/** A row of the real server's GET /api/wd-requests (WdRequestRow). */
const wdRow = (c) => { const t = [...tasks.values()].find((x) => x.subjectId === c.id && x.status === 'open'); return { id: c.id, status: c.status, department: c.department, priority: t?.priority ?? c.priority, overdue: !!t?.dueAt && new Date(t.dueAt) < new Date(), customerId: c.customerId, tradingAccount: c.tradingAccount, requestedAmount: c.requestedAmount, currency: c.currency, fee: c.fee, createdAt: c.createdAt, updatedAt: c.updatedAt }; };

// ---------------------------------------------------------------- http
function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body === undefined ? '' : type.includes('json') ? JSON.stringify(body) : body);
}
const problem = (res, p) => send(res, p.status ?? 500, { type: 'about:blank', title: p.title ?? 'Error', status: p.status ?? 500, detail: p.detail ?? p.title, errors: p.errors ?? {} }, 'application/problem+json');
const paged = (items, q) => { const page = Math.max(1, +(q.get('page') ?? 1)); const pageSize = Math.min(500, Math.max(1, +(q.get('pageSize') ?? 50))); return { items: items.slice((page - 1) * pageSize, page * pageSize), total: items.length, page, pageSize }; };
async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const s = Buffer.concat(chunks).toString('utf8');
  if (!s) return {};
  try { return JSON.parse(s); } catch { throw { status: 400, title: 'Malformed JSON', detail: 'The request body is not valid JSON.' }; }
}
function who(req) {
  if (req.headers['x-api-key'] === 'dev-system-key') return { name: 'system', system: true, departments: ['CS', 'Retention', 'Dealing', 'Backoffice', 'Operations'], permissions: WD(1, 2, 3, 4, 5).concat('approve-work-orders'), rights: ['definitions:edit', 'definitions:publish'] };
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  const name = m && tokens.get(m[1]);
  return name ? { name, ...users[name] } : null;
}
const MIME = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.ico': 'image/x-icon' };
function serveStatic(res, p) {
  let file = path.join(dist, p);
  if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
    if (p === '/' || p.startsWith('/designer') || p.startsWith('/inbox')) file = path.join(dist, 'index.html');
    else return send(res, 404, 'Not found', 'text/plain');
  }
  if (!fs.existsSync(file)) return send(res, 503, 'Run npm run build first', 'text/plain');
  send(res, 200, fs.readFileSync(file), MIME[path.extname(file)] ?? 'application/octet-stream');
}

const routes = [];
const route = (method, pattern, handler, { anon = false, analyst = false } = {}) => {
  const keys = [];
  const re = new RegExp('^' + pattern.replace(/:(\w+)/g, (_, k) => { keys.push(k); return '([^/]+)'; }) + '$');
  routes.push({ method, re, keys, handler, anon, analyst });
};
const isAnalyst = (u) => u.system || u.rights.some((r) => r.startsWith('definitions:'));

route('POST', '/api/auth/token', async ({ body }) => {
  if (!users[body.username] || body.password !== body.username) throw { status: 401, title: 'Sign-in failed', detail: 'The user name or password is wrong.' };
  const t = randomUUID(); tokens.set(t, body.username);
  return { accessToken: t, expiresIn: 3600 };
}, { anon: true });
route('GET', '/api/auth/me', ({ user }) => ({ username: user.name, displayName: user.displayName ?? user.name, departments: user.departments, permissions: user.permissions, rights: user.rights }));
route('GET', '/api/health', () => ({ status: 'Healthy' }), { anon: true });
route('GET', '/api/activities', () => descriptors);
route('GET', '/api/definitions', ({ q }) => paged([...defs.entries()].map(([id, d]) => { const p = d.versions[d.versions.length - 1]; const def = d.draft?.definition ?? p?.definition; return { id, name: def?.name ?? id, description: def?.description ?? '', latestVersion: p?.version ?? null, publishedVersion: p?.version ?? null, hasDraft: !!d.draft, updatedAt: d.updatedAt }; }), q));
route('GET', '/api/definitions/:id/draft', ({ p }) => {
  const d = defs.get(p.id);
  if (!d?.draft) throw { status: 404, title: 'No draft', detail: 'There is no draft of this definition.' };
  return { id: p.id, version: null, isPublished: false, createdAt: d.draft.savedAt, createdBy: d.draft.savedBy, definition: d.draft.definition };
}, { analyst: true });
route('PUT', '/api/definitions/:id/draft', ({ p, body, user }) => {
  if (!body || typeof body !== 'object' || !Array.isArray(body.activities)) throw { status: 422, title: 'Invalid definition', detail: 'The definition is not valid.', errors: { '/activities': ['Activities are required'] } };
  if (body.id && body.id !== p.id) throw { status: 422, title: 'Invalid definition', detail: 'The id in the body differs from the URL.', errors: { '/id': ['Must equal the id in the URL'] } };
  const dup = new Set(); const errors = {};
  body.activities.forEach((a, i) => { if (dup.has(a.id)) errors[`/activities/${i}/id`] = [`Duplicate id '${a.id}'`]; dup.add(a.id); });
  if (Object.keys(errors).length) throw { status: 422, title: 'Invalid definition', detail: 'The draft has structural errors.', errors };
  const d = defs.get(p.id) ?? { versions: [], draft: null, updatedAt: now() };
  d.draft = { definition: { ...body, id: p.id }, savedAt: now(), savedBy: user.name }; d.updatedAt = now();
  defs.set(p.id, d);
  return { id: p.id, savedAt: d.draft.savedAt };
}, { analyst: true });
route('POST', '/api/definitions/validate', ({ body }) => { const errors = validate(body); return { valid: errors.length === 0, errors }; }, { analyst: true });
// Publishing is a request that another analyst approves (as on the real server).
const publishRequests = [];
const requestView = (r) => {
  const { snapshot, ...view } = r;
  void snapshot;
  return { ...view, stale: r.status === 'Pending' && r.baseVersion !== (defs.get(r.definitionId)?.versions.at(-1)?.version ?? null) };
};
function mockDiff(from, to) {
  const section = (a = [], b = [], key) => {
    const before = new Map(a.map((x) => [key(x), x]));
    const after = new Map(b.map((x) => [key(x), x]));
    return {
      added: b.filter((x) => !before.has(key(x))),
      removed: a.filter((x) => !after.has(key(x))),
      changed: b.filter((x) => before.has(key(x)) && JSON.stringify({ ...before.get(key(x)), position: null }) !== JSON.stringify({ ...x, position: null }))
        .map((x) => ({ key: key(x), fields: [{ field: 'inputs', old: before.get(key(x)).inputs ?? null, new: x.inputs ?? null }] })),
    };
  };
  const d = {
    activities: section(from?.activities, to.activities, (x) => x.id),
    connections: section(from?.connections, to.connections, (c) => `${c.source}:${c.outcome} → ${c.target}`),
    variables: section(from?.variables, to.variables, (x) => x.name),
    inputs: section(from?.inputs, to.inputs, (x) => x.name),
    definition: [],
  };
  d.isEmpty = [d.activities, d.connections, d.variables, d.inputs].every((x) => !x.added.length && !x.removed.length && !x.changed.length);
  return d;
}
route('POST', '/api/definitions/:id/publish', ({ p, user, body }) => {
  const d = defs.get(p.id);
  if (!d) throw { status: 404, title: 'Unknown definition' };
  if (!d.draft) throw { status: 409, title: 'Nothing to publish', detail: 'Save a draft first.' };
  const errors = validate(d.draft.definition);
  if (errors.length) { const e = {}; for (const x of errors) (e[x.path] ??= []).push(x.message); throw { status: 422, title: 'Invalid definition', detail: 'The draft has validation errors.', errors: e }; }
  const r = {
    id: `pr-${publishRequests.length + 1}`, definitionId: p.id, status: 'Pending', contentHash: `mock${publishRequests.length + 1}`,
    baseVersion: d.versions.at(-1)?.version ?? null, note: body?.note ?? null, submittedBy: user.name, submittedAt: now(),
    decidedBy: null, decidedAt: null, decisionReason: null, publishedVersion: null, snapshot: clone(d.draft.definition),
  };
  publishRequests.push(r);
  return { ...requestView(r), validation: { valid: true, errors: [] } };
}, { analyst: true });
const listRequests = (q, definitionId) => paged(publishRequests.filter((r) => (!q.get('status') || r.status === q.get('status')) && (!definitionId || r.definitionId === definitionId)).reverse().map(requestView), q);
route('GET', '/api/publish-requests', ({ q }) => listRequests(q, q.get('definitionId')), { analyst: true });
route('GET', '/api/definitions/:id/publish-requests', ({ p, q }) => listRequests(q, p.id), { analyst: true });
const findRequest = (id) => { const r = publishRequests.find((x) => x.id === id); if (!r) throw { status: 404, title: 'Unknown publish request' }; return r; };
route('GET', '/api/publish-requests/:rid', ({ p }) => {
  const r = findRequest(p.rid);
  const current = defs.get(r.definitionId).versions.at(-1) ?? null;
  const validation = { valid: true, errors: [] };
  return { request: { ...requestView(r), validation }, definition: r.snapshot, publishedVersion: current?.version ?? null, published: current?.definition ?? null, diff: mockDiff(current?.definition, r.snapshot), validation };
}, { analyst: true });
route('POST', '/api/publish-requests/:rid/approve', ({ p, user }) => {
  const r = findRequest(p.rid);
  if (r.status !== 'Pending') throw { status: 409, title: 'Already decided' };
  if (r.submittedBy === user.name) throw { status: 403, title: 'Not permitted.', detail: `Four eyes: ${user.name} submitted this publish request and cannot approve it.` };
  const d = defs.get(r.definitionId);
  const version = (d.versions.at(-1)?.version ?? 0) + 1;
  d.versions.push({ version, definition: { ...r.snapshot, version }, publishedAt: now(), publishedBy: user.name });
  d.draft = null; d.updatedAt = now();
  Object.assign(r, { status: 'Approved', decidedBy: user.name, decidedAt: now(), publishedVersion: version });
  return { version };
}, { analyst: true });
route('POST', '/api/publish-requests/:rid/reject', ({ p, user, body }) => {
  const r = findRequest(p.rid);
  if (!body?.reason?.trim()) throw { status: 422, title: 'The request is invalid.', errors: { reason: ["'reason' is required."] } };
  if (r.status !== 'Pending') throw { status: 409, title: 'Already decided' };
  Object.assign(r, { status: 'Rejected', decidedBy: user.name, decidedAt: now(), decisionReason: body.reason });
  return requestView(r);
}, { analyst: true });
route('GET', '/api/definitions/:id/versions', ({ p }) => { const d = defs.get(p.id); if (!d) throw { status: 404, title: 'Unknown definition' }; return d.versions.map(({ version, publishedAt, publishedBy }) => ({ version, publishedAt, publishedBy, isCurrent: version === d.versions.at(-1).version, contentHash: `mock-v${version}`, suspended: false, suspendedAt: null, suspendedBy: null, suspendReason: null })); });
route('POST', '/api/definitions/matrix', ({ body }) => ({ ...matrix(body), version: 0 }));
route('GET', '/api/definitions/:id/matrix', ({ p, q }) => { const v = q.get('version') ? versionOf(p.id, +q.get('version')) : published(p.id); if (!v) throw { status: 404, title: 'Unknown version' }; return matrix(v.definition); });
// what the designer opens: the draft, else the published version (never a 404 for a known definition)
route('GET', '/api/definitions/:id/editable', ({ p }) => {
  const d = defs.get(p.id);
  const v = published(p.id);
  if (d?.draft) return { id: p.id, version: null, isPublished: false, createdAt: d.draft.savedAt, createdBy: d.draft.savedBy, definition: d.draft.definition, publishedVersion: v?.version ?? null, hasDraft: true };
  if (!v) throw { status: 404, title: 'Unknown definition', detail: `No definition “${p.id}”.` };
  return { id: p.id, version: v.version, isPublished: true, createdAt: v.publishedAt, createdBy: v.publishedBy, definition: v.definition, publishedVersion: v.version, hasDraft: false };
});
route('GET', '/api/definitions/:id', ({ p, q }) => {
  const v = q.get('version') ? versionOf(p.id, +q.get('version')) : published(p.id);
  if (!v) { const d = defs.get(p.id); if (d?.draft && !q.get('version')) return { id: p.id, version: null, isPublished: false, createdAt: d.draft.savedAt, createdBy: d.draft.savedBy, definition: d.draft.definition }; throw { status: 404, title: 'Unknown definition', detail: `No version of “${p.id}”.` }; }
  return { id: p.id, version: v.version, isPublished: true, createdAt: v.publishedAt, createdBy: v.publishedBy, definition: v.definition };
});
route('POST', '/api/definitions/:id/instances', ({ p, body, res }) => { const { inst, existing } = startInstance(p.id, body.input ?? {}, body.correlationId); res.statusCode = existing ? 200 : 201; return { id: inst.id, definitionId: inst.definitionId, version: inst.version, status: inst.state.status, correlationId: inst.correlationId }; });
route('POST', '/api/expressions/check', ({ body }) => checkExpression(String(body.expression ?? ''), body.variables ?? {}));
route('POST', '/api/dry-run/start', ({ body, user }) => {
  const def = body.definition;
  const start = def?.activities?.find((a) => a.type === 'Start');
  if (!start) throw { status: 422, title: 'Invalid definition', detail: 'The flow has no Start activity.', errors: { '/activities': ['A Start activity is required'] } };
  const st = newState(def, body.input);
  run(def, st, start.id, { newId: () => newId('dry'), dry: true, user }); settle(st);
  return { state: st, view: dryView(st, user) };
}, { analyst: true });
route('POST', '/api/dry-run/resume', ({ body, user }) => {
  const st = clone(body.state);
  resume(body.definition, st, body.resume ?? {}, { newId: () => newId('dry'), dry: true, user: { ...user, system: true }, ip: '127.0.0.1' });
  return { state: st, view: dryView(st, user) };
}, { analyst: true });
route('GET', '/api/instances', ({ q }) => paged([...instances.values()].filter((i) => (!q.get('definitionId') || i.definitionId === q.get('definitionId')) && (!q.get('status') || i.state.status === q.get('status')) && (!q.get('correlationId') || i.correlationId === q.get('correlationId'))).sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map(summary), q));
route('GET', '/api/instances/:id', ({ p }) => { const i = instances.get(p.id); if (!i) throw { status: 404, title: 'Unknown instance', detail: 'The instance does not exist.' }; return detail(i); });
route('GET', '/api/instances/:id/journal', ({ p, q }) => { const i = instances.get(p.id); if (!i) throw { status: 404, title: 'Unknown instance' }; return paged(i.state.journal, q); });
route('POST', '/api/instances/:id/cancel', ({ p, body }) => { const i = instances.get(p.id); if (!i) throw { status: 404, title: 'Unknown instance' }; i.state.status = 'Cancelled'; i.state.tasks = []; i.state.waits = []; journal(i.state, { kind: 'Cancelled', message: body.reason ?? 'Cancelled' }); syncTasks(i); return detail(i); });
route('GET', '/api/incidents', ({ q }) => paged([...incidents.values()], q));
route('POST', '/api/incidents/:id/retry', ({ p }) => { const x = incidents.get(p.id); if (!x) throw { status: 404, title: 'Unknown incident' }; x.status = 'resolved'; x.attempts++; return x; });
route('GET', '/api/tasks', ({ q, user }) => {
  let list = [...tasks.values()].map(publicTask).filter((t) => user.system || user.departments.includes(t.department) || t.assignee === user.name);
  const f = (k, fn) => { if (q.get(k)) list = list.filter(fn); };
  f('status', (t) => t.status === q.get('status'));
  f('department', (t) => t.department === q.get('department'));
  f('assignee', (t) => t.assignee === q.get('assignee'));
  f('definitionId', (t) => t.definitionId === q.get('definitionId'));
  f('businessStatus', (t) => (t.businessStatus ?? '').toLowerCase() === q.get('businessStatus').toLowerCase());
  f('correlationId', (t) => t.correlationId === q.get('correlationId'));
  if (q.get('overdue') === 'true') list = list.filter((t) => t.overdue);
  const sort = q.get('sort') ?? 'dueAt';
  const key = sort.replace('-', '');
  list.sort((a, b) => { const x = a[key] ?? '\uffff', y = b[key] ?? '\uffff'; return (x < y ? -1 : x > y ? 1 : 0) * (sort.startsWith('-') ? -1 : 1); });
  return paged(list, q);
});
route('GET', '/api/tasks/:id', ({ p, user }) => {
  const rec = tasks.get(p.id);
  if (!rec) throw { status: 404, title: 'Unknown task', detail: 'The task does not exist.' };
  const inst = instances.get(rec.instanceId);
  const t = inst.state.tasks.find((x) => x.taskId === rec.id);
  // the real server's shape: { task, actions, instanceVersion }
  return { task: publicTask(rec), actions: t ? actionsFor(t, inst.state, user) : [], instanceVersion: 0 };
});
route('POST', '/api/tasks/:id/claim', ({ p, user }) => { const r = tasks.get(p.id); if (!r) throw { status: 404, title: 'Unknown task' }; if (r.assignee && r.assignee !== user.name) throw { status: 409, title: 'Already claimed', detail: `${r.assignee} claimed this task.` }; r.assignee = user.name; return publicTask(r); });
route('POST', '/api/tasks/:id/unclaim', ({ p }) => { const r = tasks.get(p.id); if (!r) throw { status: 404, title: 'Unknown task' }; r.assignee = null; return publicTask(r); });
route('POST', '/api/tasks/:id/complete', ({ p, body, user, ip }) => detail(completeTask(p.id, body, user, ip)));
route('POST', '/api/events/:name', ({ p, body, user }) => {
  // As the real server: events come from systems only (ADR 7).
  if (!user.system) throw { status: 403, title: 'Forbidden', detail: `Events are sent by systems: an X-Api-Key with the scope events:${p.name}.` };
  const hit = [...instances.values()].filter((i) => i.correlationId === body.correlationId && i.state.status !== 'Completed');
  for (const i of hit) { const st = clone(i.state); try { resume(i.def, st, { kind: 'event', eventName: p.name, payload: body.payload }, { newId: () => newId('t'), user: { system: true, departments: [], permissions: [] }, onTaskDone: (t, a, s) => { const r = tasks.get(t.taskId); if (r) r.status = s ?? 'completed'; } }); i.state = st; syncTasks(i); } catch { /* not waiting */ } }
  return { resumed: hit.length };
});
route('POST', '/api/wd-requests', ({ body, res, user }) => {
  const errors = {};
  if (!body.comment) errors.comment = ['A comment is required'];
  if (!(body.requestedAmount > 0)) errors.requestedAmount = ['The amount must be positive'];
  if (Object.keys(errors).length) throw { status: 422, title: 'Invalid request', detail: 'The request is not valid.', errors };
  res.statusCode = 201;
  return wdCard(createWd(body, user.name), user);
});
route('GET', '/api/wd-requests', ({ q }) => paged([...wdRequests.values()].filter((c) => (!q.get('status') || c.status === q.get('status')) && (!q.get('department') || c.department === q.get('department'))).map(wdRow), q));
// Before /:id (which would match "export.csv"): the CSV export, for the right wd:export.
route('GET', '/api/wd-requests/export.csv', ({ user, res }) => {
  if (!user.system && !user.rights.includes('wd:export')) throw { status: 403, title: 'Forbidden', detail: 'You need the right wd:export.' };
  const cell = (v) => { const s = v === null || v === undefined ? '' : String(v); return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s; };
  const rows = [...wdRequests.values()].map(wdRow).map((r) => [r.id, r.status, r.department, r.customerId, r.tradingAccount, r.requestedAmount, r.currency, r.fee, r.createdAt].map(cell).join(','));
  res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="wd-requests.csv"', 'Cache-Control': 'no-store' });
  res.end(['id,status,department,customerId,tradingAccount,requestedAmount,currency,fee,createdAt', ...rows].join('\n') + '\n');
});
route('GET', '/api/wd-requests/:id', ({ p, user }) => { const c = wdRequests.get(p.id); if (!c) throw { status: 404, title: 'Unknown request', detail: 'The withdrawal request does not exist.' }; return wdCard(c, user); });
route('POST', '/api/wd-requests/:id/actions', ({ p, body, user, ip }) => {
  const c = wdRequests.get(p.id); if (!c) throw { status: 404, title: 'Unknown request' };
  const t = [...tasks.values()].find((x) => x.subjectId === c.id && x.status === 'open');
  if (!t) throw { status: 409, title: 'No action possible', detail: `The request is ${c.status}: no action is possible now.` };
  if (body.fee !== undefined && body.fee !== null) c.fee = body.fee;
  c.updatedAt = now();
  completeTask(t.id, { action: body.action, comment: body.comment, data: body.fee !== undefined ? { fee: body.fee } : undefined }, user, ip);
  return wdCard(c, user);
});
route('GET', '/api/wd-requests/:id/audit-log', ({ p, q }) => {
  const inst = [...instances.values()].find((i) => i.correlationId === p.id);
  if (!inst) throw { status: 404, title: 'Unknown request' };
  // The real server's page of WdAuditEntry, newest first (its default page size is the maximum).
  const entries = inst.state.journal.filter((j) => j.actor || j.kind === 'TaskCreated' || j.kind === 'Completed').map((j) => ({ sequence: j.sequence, time: j.timestamp, user: j.actor?.userId ?? null, ipAddress: j.actor?.ipAddress ?? null, role: j.actor?.role ?? null, action: j.action ?? j.kind, changes: j.changes ?? [], comment: j.comment ?? null, message: j.message ?? null, kind: j.kind })).reverse();
  if (!q.get('pageSize')) q.set('pageSize', '500');
  return paged(entries, q);
});
// Like the real server, the transaction routes answer with the whole card (no state or amount rules here).
route('POST', '/api/wd-requests/:id/transactions', ({ p, body, user }) => { const c = wdRequests.get(p.id); if (!c) throw { status: 404, title: 'Unknown request' }; const paymentType = body.paymentType; c.transactions.push({ id: newId('tx'), amount: body.amount, paymentType, oct: body.oct ?? false, bankDetails: body.bankDetails ?? null, status: 'Draft', tradeId: null, executedAt: null, isFee: paymentType === 'Fee', isExecuted: false }); c.updatedAt = now(); return wdCard(c, user); });
route('PUT', '/api/wd-requests/:id/transactions/:tx', ({ p, body, user }) => { const c = wdRequests.get(p.id); if (!c) throw { status: 404, title: 'Unknown request' }; const t = c.transactions.find((x) => x.id === p.tx); if (!t) throw { status: 404, title: 'Unknown transaction' }; if (t.isFee) throw { status: 409, title: 'Fee transaction', detail: 'The fee transaction cannot be changed.' }; if (body.amount !== undefined && body.amount !== null) t.amount = body.amount; if (body.oct !== undefined && body.oct !== null) t.oct = body.oct; if (body.bankDetails !== undefined) t.bankDetails = body.bankDetails; c.updatedAt = now(); return wdCard(c, user); });
route('DELETE', '/api/wd-requests/:id/transactions/:tx', ({ p, user }) => { const c = wdRequests.get(p.id); if (!c) throw { status: 404, title: 'Unknown request' }; c.transactions = c.transactions.filter((t) => t.id !== p.tx); c.updatedAt = now(); return wdCard(c, user); });
route('PUT', '/api/sandbox/trading-accounts/:account', ({ p, body }) => ({ account: p.account, ...body }));

// test hook: make another user act on a task behind the UI's back (simulates a stale card)
route('POST', '/api/mock/act', ({ body }) => detail(completeTask(body.taskId, { action: body.action, comment: body.comment ?? 'done elsewhere' }, { name: body.user, ...users[body.user] }, '10.0.0.99')), { anon: true });

export function createServer() {
  return http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (!url.pathname.startsWith('/api/')) return serveStatic(res, url.pathname);
    const r = routes.find((x) => x.method === req.method && x.re.test(url.pathname));
    if (!r) return problem(res, { status: 404, title: 'Not found', detail: `No route ${req.method} ${url.pathname}` });
    try {
      const user = who(req);
      if (!r.anon && !user) throw { status: 401, title: 'Unauthenticated', detail: 'Sign in first.' };
      if (r.analyst && !isAnalyst(user)) throw { status: 403, title: 'Forbidden', detail: 'Only analysts may do this.' };
      const m = r.re.exec(url.pathname);
      const p = Object.fromEntries(r.keys.map((k, i) => [k, decodeURIComponent(m[i + 1])]));
      const body = req.method === 'GET' ? {} : await readBody(req);
      if (process.env.MOCK_DELAY) await new Promise((ok) => setTimeout(ok, +process.env.MOCK_DELAY));
      res.statusCode = 200;
      const out = await r.handler({ p, q: url.searchParams, body, user, res, ip: req.socket.remoteAddress });
      if (!res.headersSent) send(res, res.statusCode, out);
    } catch (e) {
      if (e && e.status) return problem(res, e);
      console.error(e);
      problem(res, { status: 500, title: 'Mock server error', detail: String(e?.message ?? e) });
    }
  });
}

seedRuntime();

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = +(process.argv[2] ?? process.env.PORT ?? 5080);
  createServer().listen(port, '127.0.0.1', () => console.log(`mock ApprovalEngine API on http://127.0.0.1:${port}`));
}
