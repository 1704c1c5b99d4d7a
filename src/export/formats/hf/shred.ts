import type { Field, ScalarType } from './fields.js';

/*
 * Free text and chat messages, shredded as rows are added: one pass over a value fills
 * every leaf column of its field (Dremel's definition and repetition levels), and text
 * goes straight into the leaf's PLAIN page (4-byte length, UTF-8 bytes). The encoder then
 * writes each text leaf's page as it is. hyparquet-writer, given the rows, walks a nested
 * column once per leaf and copies every value into its page one by one; for the columns
 * that hold most of an hf export's bytes (outputs, `shown`, JSON, both conversations)
 * that was most of the writer's time (~2.0 s of a 20k export's CPU before, ~0.9 s after).
 */

/** One leaf column of a shredded row group. */
export type Leaf = TextLeaf | ValueLeaf;

interface Levels {
  /** Definition levels of every entry (empty when maxDef is 0), repetition levels (empty when maxRep is 0). */
  defs: Uint8Array;
  reps: Uint8Array;
  maxDef: number;
  maxRep: number;
  /** Entries, nulls included. */
  count: number;
}

export interface TextLeaf extends Levels {
  kind: 'text';
  /** The PLAIN page of the non-null values. */
  page: Uint8Array;
}

export interface ValueLeaf extends Levels {
  kind: 'value';
  /** Every entry, null where undefined (as the writer takes them: int64 as bigint). */
  values: unknown[];
}

/** A growing list of levels (a level is at most the depth of the schema, well under 256). */
class LevelList {
  private levels = new Uint8Array(1024);
  length = 0;

  push(level: number): void {
    if (this.length === this.levels.length) {
      const levels = new Uint8Array(this.levels.length * 2);
      levels.set(this.levels);
      this.levels = levels;
    }
    this.levels[this.length++] = level;
  }

  seal(): Uint8Array {
    return this.levels.subarray(0, this.length);
  }

  reset(): void {
    this.length = 0;
  }
}

/** A growing PLAIN BYTE_ARRAY page: each value as a little-endian length and its UTF-8 bytes. */
class PlainText {
  private bytes: Buffer;
  private used = 0;

  constructor(capacity: number) {
    this.bytes = Buffer.allocUnsafeSlow(Math.max(capacity, 1024));
  }

  /** Append a string; its length in bytes. */
  put(text: string): number {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const room = this.used + 4 + text.length * 3;
    if (room > this.bytes.length) {
      const bytes = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, room));
      this.bytes.copy(bytes, 0, 0, this.used);
      this.bytes = bytes;
    }
    const length = this.bytes.write(text, this.used + 4, 'utf8');
    this.bytes.writeUInt32LE(length, this.used);
    this.used += 4 + length;
    return length;
  }

  get size(): number {
    return this.used;
  }

  seal(): Uint8Array {
    return this.bytes.subarray(0, this.used);
  }

  /** Start over in the same memory (what was sealed is overwritten). */
  reset(): void {
    this.used = 0;
  }
}

type Node =
  | { kind: 'scalar'; name: string; path: string; nullable: boolean; type: ScalarType; leaf: number }
  | { kind: 'struct'; name: string; path: string; nullable: boolean; children: Node[]; leaves: number[] }
  | { kind: 'list'; name: string; path: string; nullable: boolean; children: Node[]; leaves: number[]; repLevel: number };

interface LeafState {
  type: ScalarType;
  path: string;
  maxDef: number;
  maxRep: number;
  defs: LevelList;
  reps: LevelList;
  count: number;
  text?: PlainText;
  values?: unknown[];
}

/** What the schema says of a leaf. */
type LeafSpec = Pick<LeafState, 'type' | 'path' | 'maxDef' | 'maxRep'>;

/** What a leaf's memory is reused for two groups later. */
type Spare = { defs: LevelList; reps: LevelList; text: PlainText | undefined };

/**
 * A column's leaves for one row group at a time: `add` shreds a row's value (and returns
 * its size in bytes of values, as Arrow counts them), `seal` hands the leaves over and
 * starts the next group.
 *
 * Text pages and levels are double-buffered: a sealed group's are written over again two
 * groups later, so the table must have finished writing a group before it seals the one
 * after next (ShardedTable waits for the group in flight before it starts another).
 * Reusing them keeps an export's external memory flat instead of a new page per leaf per
 * group waiting for the collector.
 */
export class Shredder {
  private readonly root: Node;
  private readonly specs: LeafSpec[] = [];
  private leaves: LeafState[];
  /** The pages and levels of the group sealed last, reused for the next. */
  private spare: Spare[] | undefined;

  constructor(field: Field) {
    this.root = build(field, 0, 0, '', this.specs);
    this.leaves = this.fresh(undefined);
  }

  add(value: unknown): number {
    const { root } = this;
    // A flat column (most long text): one entry per row, no walk.
    if (root.kind === 'scalar') {
      if (value === null || value === undefined) {
        if (!root.nullable) throw new Error(`hf: ${root.path} is required, found ${value === null ? 'null' : 'nothing'}`);
        return this.emit(root.leaf, null, 0, 0);
      }
      return this.emit(root.leaf, value, root.nullable ? 1 : 0, 0);
    }
    return this.visit(root, value, 0, 0, false);
  }

  seal(): Leaf[] {
    const sealed = this.leaves.map((leaf): Leaf => {
      const levels = { defs: leaf.defs.seal(), reps: leaf.reps.seal(), maxDef: leaf.maxDef, maxRep: leaf.maxRep, count: leaf.count };
      return leaf.text ? { kind: 'text', page: leaf.text.seal(), ...levels } : { kind: 'value', values: leaf.values as unknown[], ...levels };
    });
    const spare = this.spare;
    this.spare = this.leaves.map((leaf) => ({ defs: leaf.defs, reps: leaf.reps, text: leaf.text }));
    this.leaves = this.fresh(spare);
    return sealed;
  }

  private fresh(spare: Spare[] | undefined): LeafState[] {
    return this.specs.map((spec, i) => {
      const reused = spare?.[i];
      reused?.defs.reset();
      reused?.reps.reset();
      reused?.text?.reset();
      return {
        ...spec, defs: reused?.defs ?? new LevelList(), reps: reused?.reps ?? new LevelList(), count: 0,
        ...(spec.type === 'string' ? { text: reused?.text ?? new PlainText(64 * 1024) } : { values: [] }),
      };
    });
  }

  /** Dremel, one pass: a value at `node` with the levels reached so far; nulls are allowed only beneath a null or empty parent. */
  private visit(node: Node, value: unknown, def: number, rep: number, parentNull: boolean): number {
    const absent = value === null || value === undefined;
    if (absent && !node.nullable && !parentNull) throw new Error(`hf: ${node.path} is required, found ${value === null ? 'null' : 'nothing'}`);
    if (node.kind === 'scalar') return this.emit(node.leaf, absent ? null : value, absent ? def : node.nullable ? def + 1 : def, rep);
    if (absent) {
      for (const leaf of node.leaves) this.emit(leaf, null, def, rep);
      return 1;
    }
    const inner = node.nullable ? def + 1 : def;
    if (node.kind === 'struct') {
      let bytes = 0;
      for (const child of node.children) bytes += this.visit(child, (value as Record<string, unknown>)[child.name], inner, rep, false);
      return bytes;
    }
    if (!Array.isArray(value)) throw new Error(`hf: ${node.path} must be a list, found ${typeof value}`);
    if (value.length === 0) {
      for (const leaf of node.leaves) this.emit(leaf, null, inner, rep);
      return 4;
    }
    let bytes = 4;
    for (let i = 0; i < value.length; i += 1) {
      const element = value[i];
      const elementRep = i === 0 ? rep : node.repLevel;
      // The element is a required struct of the list's fields.
      if (element === null || element === undefined) throw new Error(`hf: ${node.path}[${i}] is required, found ${element === null ? 'null' : 'nothing'}`);
      for (const child of node.children) bytes += this.visit(child, (element as Record<string, unknown>)[child.name], inner + 1, elementRep, false);
    }
    return bytes;
  }

  private emit(index: number, value: unknown, def: number, rep: number): number {
    const leaf = this.leaves[index] as LeafState;
    if (leaf.maxDef > 0) leaf.defs.push(def);
    if (leaf.maxRep > 0) leaf.reps.push(rep);
    leaf.count += 1;
    if (value === null) {
      leaf.values?.push(null);
      return 1;
    }
    if (leaf.text) {
      if (typeof value !== 'string') throw new Error(`hf: ${leaf.path} must be a string, found ${typeof value}`);
      return leaf.text.put(value) + 4;
    }
    (leaf.values as unknown[]).push(scalar(leaf.type, value));
    return leaf.type === 'bool' ? 1 : leaf.type === 'int32' ? 4 : 8;
  }

}

/**
 * A present value as the writer takes it: int64 as bigint, a time as the milliseconds the
 * column stores (no Date in between; a time that does not parse is null, as it is kept whole
 * in the header/step JSON), anything else as it is.
 */
export function scalar(type: ScalarType, value: unknown): unknown {
  if (type === 'int64') return BigInt(value as number);
  if (type === 'timestamp[ms]') {
    const millis = Date.parse(value as string);
    return Number.isNaN(millis) ? null : BigInt(millis);
  }
  return value;
}

/** The node for a field, its leaves numbered depth first as the schema lists them, with their maximum levels. */
function build(field: Field, def: number, rep: number, prefix: string, specs: LeafSpec[]): Node {
  const path = prefix ? `${prefix}.${field.name}` : field.name;
  const own = field.nullable ? def + 1 : def;
  if ('type' in field) {
    specs.push({ type: field.type, path, maxDef: own, maxRep: rep });
    return { kind: 'scalar', name: field.name, path, nullable: field.nullable, type: field.type, leaf: specs.length - 1 };
  }
  const first = specs.length;
  if ('struct' in field) {
    const children = field.struct.map((child) => build(child, own, rep, path, specs));
    return { kind: 'struct', name: field.name, path, nullable: field.nullable, children, leaves: range(first, specs.length) };
  }
  // A 3-level list: the repeated group adds a definition and a repetition level; its element is a required struct.
  const children = field.list.map((child) => build(child, own + 1, rep + 1, path, specs));
  return { kind: 'list', name: field.name, path, nullable: field.nullable, children, leaves: range(first, specs.length), repLevel: rep + 1 };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
