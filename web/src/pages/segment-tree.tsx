// The visual segment builder: edits the segment definition tree (docs/segments.md) directly —
// groups (all / any), negation, and one form per condition kind.
import { useId, type ReactNode } from 'react';
import type { List } from '../api';

export type Node = Record<string, unknown>;
export type Group = { all: Node[] } | { any: Node[] };

const OPS: Array<[string, string]> = [
  ['eq', 'is'], ['neq', 'is not'], ['contains', 'contains'], ['starts_with', 'starts with'], ['gt', '>'], ['gte', '≥'], ['lt', '<'], ['lte', '≤'],
  ['in', 'is one of'], ['exists', 'is set'], ['not_exists', 'is not set'], ['before', 'is before'], ['after', 'is after'],
  ['within_last_days', 'within the last … days'], ['not_within_last_days', 'not within the last … days'],
];
const NUMERIC = new Set(['gt', 'gte', 'lt', 'lte', 'within_last_days', 'not_within_last_days']);
const KINDS: Array<[string, string, Node]> = [
  ['attribute', 'Attribute', { attribute: '', op: 'eq', value: '' }],
  ['field', 'Contact field', { field: 'email_domain', op: 'eq', value: '' }],
  ['list', 'On a list', { list: 0 }],
  ['tag', 'Has tag', { tag: '' }],
  ['event', 'Did an event', { event: '', count: { gte: 1 } }],
  ['engagement', 'Engagement', { engagement: 'opened', campaigns_last: 5 }],
  ['consent', 'Gave consent', { consent: 'marketing_email' }],
  ['group', 'Group of conditions', { any: [] }],
];

export const kindOf = (n: Node): string => {
  if ('all' in n || 'any' in n) return 'group';
  for (const [k] of KINDS) if (k in n) return k;
  return 'attribute';
};
export const emptyDefinition = () => ({ version: 1 as const, root: { all: [] as Node[] } as Node });

export function GroupEditor({ node, onChange, onRemove, lists, depth = 0 }: { node: Node; onChange: (n: Node) => void; onRemove?: () => void; lists: List[]; depth?: number }) {
  const mode = 'any' in node ? 'any' : 'all';
  const children = ((node as Record<string, Node[]>)[mode] ?? []) as Node[];
  const setChildren = (c: Node[]) => onChange({ [mode]: c });
  const addKind = KINDS[0]?.[0] ?? 'attribute';
  const selectId = useId().replace(/:/g, '');
  return (
    <div className="tree-group" role="group" aria-label={depth === 0 ? 'Segment rules' : 'Group of conditions'}>
      <div className="inline">
        <label htmlFor={`${selectId}-mode`} className="sr-only">Match</label>
        <select id={`${selectId}-mode`} value={mode} onChange={(e) => onChange({ [e.target.value]: children })} style={{ width: 'auto' }}>
          <option value="all">Contacts matching ALL of these</option>
          <option value="any">Contacts matching ANY of these</option>
        </select>
        {onRemove && <button type="button" onClick={onRemove}>Remove group</button>}
      </div>
      {children.length === 0 && <p className="hint">{mode === 'all' ? 'No conditions: everyone matches.' : 'No conditions: no one matches.'}</p>}
      {children.map((c, i) => {
        const set = (n: Node) => setChildren(children.map((x, j) => (j === i ? n : x)));
        const remove = () => setChildren(children.filter((_, j) => j !== i));
        const negated = 'not' in c;
        const inner = (negated ? c.not : c) as Node;
        const setInner = (n: Node) => set(negated ? { not: n } : n);
        return (
          <div key={i}>
            {kindOf(inner) === 'group'
              ? <GroupEditor node={inner} onChange={setInner} onRemove={remove} lists={lists} depth={depth + 1} />
              : <ConditionEditor node={inner} onChange={setInner} onRemove={remove} lists={lists} negated={negated} onNegate={(v) => set(v ? { not: inner } : inner)} />}
          </div>
        );
      })}
      <div className="inline" style={{ marginTop: '.5rem' }}>
        <label htmlFor={`${selectId}-add`} className="sr-only">Condition to add</label>
        <select id={`${selectId}-add`} defaultValue={addKind} style={{ width: 'auto' }}>{KINDS.filter(([k]) => depth < 3 || k !== 'group').map(([k, label]) => <option key={k} value={k}>{label}</option>)}</select>
        <button type="button" onClick={(e) => {
          const sel = (e.currentTarget.previousElementSibling as HTMLSelectElement).value;
          const tpl = KINDS.find(([k]) => k === sel)?.[2] ?? {};
          const fresh = structuredClone(tpl);
          if ('list' in fresh) fresh.list = lists[0]?.id ?? 0;
          setChildren([...children, fresh]);
        }}>Add condition</button>
      </div>
    </div>
  );
}

function ConditionEditor({ node, onChange, onRemove, lists, negated, onNegate }: { node: Node; onChange: (n: Node) => void; onRemove: () => void; lists: List[]; negated: boolean; onNegate: (v: boolean) => void }) {
  const id = useId().replace(/:/g, '');
  const kind = kindOf(node);
  const s = (k: string) => String(node[k] ?? '');
  const field = (label: string, el: (fid: string) => ReactNode, key: string) => <div><label htmlFor={`${id}-${key}`}>{label}</label>{el(`${id}-${key}`)}</div>;
  let body: ReactNode;
  if (kind === 'attribute' || kind === 'field') {
    const op = s('op') || 'eq';
    const valueless = op === 'exists' || op === 'not_exists';
    const setOp = (nop: string) => {
      const n: Node = { ...node, op: nop };
      if (nop === 'exists' || nop === 'not_exists') delete n.value; else n.value = coerce(nop, displayValue(node.value));
      onChange(n);
    };
    body = <>
      {kind === 'attribute'
        ? field('Attribute', (fid) => <input id={fid} value={s('attribute')} onChange={(e) => onChange({ ...node, attribute: e.target.value })} placeholder="plan" />, 'name')
        : field('Field', (fid) => <select id={fid} value={s('field')} onChange={(e) => onChange({ ...node, field: e.target.value })}>
          <option value="email_domain">Email domain</option><option value="status">Status</option><option value="created_at">Added on</option><option value="timezone">Time zone</option></select>, 'name')}
      {field('Condition', (fid) => <select id={fid} value={op} onChange={(e) => setOp(e.target.value)}>{OPS.map(([k, l]) => <option key={k} value={k}>{l}</option>)}</select>, 'op')}
      {!valueless && field('Value', (fid) => <input id={fid} value={displayValue(node.value)} onChange={(e) => onChange({ ...node, value: coerce(op, e.target.value, typeof node.value === 'number') })} inputMode={NUMERIC.has(op) ? 'numeric' : undefined} />, 'value')}
      {!valueless && (op === 'eq' || op === 'neq') && kind === 'attribute' && (
        <label className="check" htmlFor={`${id}-num`}><input id={`${id}-num`} type="checkbox" checked={typeof node.value === 'number'} onChange={(e) => onChange({ ...node, value: e.target.checked ? Number(node.value) || 0 : String(node.value ?? '') })} />Number</label>
      )}
    </>;
  } else if (kind === 'list') {
    body = <>
      {field('List', (fid) => <select id={fid} value={s('list')} onChange={(e) => onChange({ ...node, list: Number(e.target.value) })}>{lists.length === 0 && <option value="0">No lists yet</option>}{lists.map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}</select>, 'list')}
      {field('Membership', (fid) => <select id={fid} value={s('status') || 'subscribed'} onChange={(e) => onChange({ ...node, status: e.target.value })}>
        <option value="subscribed">Subscribed</option><option value="confirmed">Confirmed</option><option value="unconfirmed">Unconfirmed</option><option value="unsubscribed">Unsubscribed</option><option value="any">Any</option></select>, 'status')}
    </>;
  } else if (kind === 'tag') {
    body = field('Tag', (fid) => <input id={fid} value={s('tag')} onChange={(e) => onChange({ tag: e.target.value })} />, 'tag');
  } else if (kind === 'consent') {
    body = field('Purpose', (fid) => <input id={fid} value={s('consent')} onChange={(e) => onChange({ consent: e.target.value })} />, 'consent');
  } else if (kind === 'engagement') {
    body = <>
      {field('Engagement', (fid) => <select id={fid} value={s('engagement')} onChange={(e) => onChange({ ...node, engagement: e.target.value })}>
        <option value="opened">Opened</option><option value="clicked">Clicked</option><option value="not_opened">Did not open</option><option value="not_clicked">Did not click</option></select>, 'eng')}
      {field('In the last … campaigns', (fid) => <input id={fid} type="number" min={1} value={s('campaigns_last')} onChange={(e) => onChange({ ...node, campaigns_last: Number(e.target.value) || 1 })} />, 'n')}
    </>;
  } else {
    const count = (node.count ?? { gte: 1 }) as Record<string, number>;
    const cop = Object.keys(count)[0] ?? 'gte';
    body = <>
      {field('Event name', (fid) => <input id={fid} value={s('event')} onChange={(e) => onChange({ ...node, event: e.target.value })} placeholder="purchase" />, 'ev')}
      {field('Times', (fid) => <select id={fid} value={cop} onChange={(e) => onChange({ ...node, count: { [e.target.value]: count[cop] ?? 1 } })}><option value="gte">at least</option><option value="lte">at most</option><option value="eq">exactly</option></select>, 'cop')}
      {field('Count', (fid) => <input id={fid} type="number" min={0} value={String(count[cop] ?? 1)} onChange={(e) => onChange({ ...node, count: { [cop]: Number(e.target.value) || 0 } })} />, 'cnt')}
      {field('Within days (optional)', (fid) => <input id={fid} type="number" min={1} value={s('within_days')} onChange={(e) => { const n = { ...node }; if (e.target.value) n.within_days = Number(e.target.value); else delete n.within_days; onChange(n); }} />, 'wd')}
    </>;
  }
  return (
    <div className="tree-cond">
      <label className="check" htmlFor={`${id}-not`} style={{ flex: '0 0 auto' }}><input id={`${id}-not`} type="checkbox" checked={negated} onChange={(e) => onNegate(e.target.checked)} />Not</label>
      {body}
      <button type="button" onClick={onRemove} aria-label="Remove this condition">Remove</button>
    </div>
  );
}

function displayValue(v: unknown): string {
  if (Array.isArray(v)) return v.join(', ');
  return v === undefined || v === null ? '' : String(v);
}

function coerce(op: string, raw: string, asNumber = false): unknown {
  if (NUMERIC.has(op)) return raw === '' ? 0 : Number(raw);
  if (op === 'in') return raw.split(',').map((x) => x.trim()).filter(Boolean);
  if (asNumber && (op === 'eq' || op === 'neq')) return Number(raw) || 0;
  return raw;
}
