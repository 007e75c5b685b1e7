/**
 * A small WebAssembly binary encoder: just enough of the format to build the wasm
 * backend's kernel module at run time, in TypeScript, with no toolchain.
 *
 * A module is a header followed by numbered sections, each `id, byte size, contents`:
 *
 * | id | section  | what this encoder puts there                                  |
 * |---:|----------|---------------------------------------------------------------|
 * |  1 | type     | one function signature per function (`0x60 params results`)   |
 * |  2 | import   | the linear memory, `env.memory`, supplied by JavaScript        |
 * |  3 | function | the signature index of each function                          |
 * |  7 | export   | each function under its name                                  |
 * | 10 | code     | each body: its extra locals, then instructions, then `end`     |
 *
 * Integers are LEB128: unsigned (`u32`) for sizes and indices, signed (`s32`) for
 * `i32.const`. Instructions are one opcode byte, or a prefix byte (`0xfd` for SIMD) and
 * a LEB128 sub-opcode, followed by immediates. A memory access carries
 * `align` (log2 of the byte alignment, a hint) and a constant byte `offset` added to the
 * address on the stack.
 *
 * {@link FunctionBuilder} has one method per instruction the kernels use, named after
 * the instruction (`f32x4_add` is `f32x4.add`), so a kernel reads like the text format.
 * Only 128-bit SIMD from the finished SIMD proposal is used (no relaxed SIMD), which every
 * current browser and Node ≥ 16 run.
 *
 * @module
 */

/** Value types: 32-bit integer, 32-bit and 64-bit floats, and the 128-bit SIMD vector. */
export const I32 = 0x7f;
/** 32-bit float. */
export const F32 = 0x7d;
/** 64-bit float (the optimizers' update arithmetic, `axpby`). */
export const F64 = 0x7c;
/** 128-bit SIMD vector (four float32 lanes, or two float64 lanes in `axpby`). */
export const V128 = 0x7b;

/** A value type byte: {@link I32}, {@link F32}, {@link F64} or {@link V128}. */
export type ValueType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

/** Unsigned LEB128: seven bits per byte, low bits first, high bit set on all but the last byte. */
export function u32(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer: like {@link u32}, ending once the rest is all sign bits. */
export function s32(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** A UTF-8 name, prefixed with its byte length. */
function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...u32(bytes.length), ...bytes];
}

/** A vector: its length, then the items' bytes. */
function vector(items: number[][]): number[] {
  return [...u32(items.length), ...items.flat()];
}

/** A section: id, byte size, contents. */
function section(id: number, contents: number[]): number[] {
  return [id, ...u32(contents.length), ...contents];
}

/** Byte layout of a float32 constant (little-endian). */
function f32Bytes(value: number): number[] {
  return [...new Uint8Array(new Float32Array([value]).buffer)];
}

/**
 * The body of one function: its parameters and extra locals, and the instruction bytes.
 * Locals are numbered parameters first; {@link FunctionBuilder.local} adds one and
 * returns its index.
 */
export class FunctionBuilder {
  /** Instruction bytes so far (without the final `end`). */
  readonly code: number[] = [];
  /** Types of the extra locals, in index order after the parameters. */
  readonly locals: ValueType[] = [];

  /** A function of these parameter and result types; parameter `i` is local `i`. */
  constructor(readonly params: readonly ValueType[], readonly results: readonly ValueType[]) {}

  /** A new local of `type`; returns its index. */
  local(type: ValueType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  private op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  private simd(sub: number, ...immediates: number[]): this {
    return this.op(0xfd, ...u32(sub), ...immediates);
  }
  private memarg(align: number, offset: number): number[] {
    return [...u32(align), ...u32(offset)];
  }

  // Control. `block` and `loop` open a label that `br`/`br_if` count outwards from 0.
  /** `block` (no result): a `br` to it jumps past its `end`. */
  block(): this { return this.op(0x02, 0x40); }
  /** `loop` (no result): a `br` to it jumps back to its start. */
  loop(): this { return this.op(0x03, 0x40); }
  /** `if` (no result), taken when the i32 on the stack is non-zero. */
  if(): this { return this.op(0x04, 0x40); }
  /** `else` of the innermost `if`. */
  else(): this { return this.op(0x05); }
  /** `end` of the innermost block, loop or if. */
  end(): this { return this.op(0x0b); }
  /** `br depth`: jump to the label `depth` levels out. */
  br(depth: number): this { return this.op(0x0c, ...u32(depth)); }
  /** `br_if depth`: jump when the i32 on the stack is non-zero. */
  br_if(depth: number): this { return this.op(0x0d, ...u32(depth)); }
  /** `select` (a, b, condition): a when the condition is non-zero, else b. */
  select(): this { return this.op(0x1b); }

  // Locals and constants.
  /** `local.get`. */
  get(index: number): this { return this.op(0x20, ...u32(index)); }
  /** `local.set`. */
  set(index: number): this { return this.op(0x21, ...u32(index)); }
  /** `local.tee`: set and keep the value on the stack. */
  tee(index: number): this { return this.op(0x22, ...u32(index)); }
  /** `i32.const`. */
  i32_const(value: number): this { return this.op(0x41, ...s32(value)); }
  /** `f32.const`. */
  f32_const(value: number): this { return this.op(0x43, ...f32Bytes(value)); }

  // Memory. Addresses are byte addresses; `offset` is a constant added to them.
  /** `i32.load`. */
  i32_load(offset = 0): this { return this.op(0x28, ...this.memarg(2, offset)); }
  /** `f32.load`. */
  f32_load(offset = 0): this { return this.op(0x2a, ...this.memarg(2, offset)); }
  /** `i32.store` (address, value). */
  i32_store(offset = 0): this { return this.op(0x36, ...this.memarg(2, offset)); }
  /** `f32.store` (address, value). */
  f32_store(offset = 0): this { return this.op(0x38, ...this.memarg(2, offset)); }

  // i32 arithmetic and comparisons (comparisons leave 1 or 0).
  /** `i32.add`. */
  i32_add(): this { return this.op(0x6a); }
  /** `i32.sub`. */
  i32_sub(): this { return this.op(0x6b); }
  /** `i32.mul`. */
  i32_mul(): this { return this.op(0x6c); }
  /** `i32.shl`. */
  i32_shl(): this { return this.op(0x74); }
  /** `i32.and`. */
  i32_and(): this { return this.op(0x71); }
  /** `i32.or`. */
  i32_or(): this { return this.op(0x72); }
  /** `i32.eqz`. */
  i32_eqz(): this { return this.op(0x45); }
  /** `i32.eq`. */
  i32_eq(): this { return this.op(0x46); }
  /** `i32.lt_s`. */
  i32_lt_s(): this { return this.op(0x48); }
  /** `i32.lt_u`. */
  i32_lt_u(): this { return this.op(0x49); }
  /** `i32.ge_s`. */
  i32_ge_s(): this { return this.op(0x4e); }

  // f32 scalar arithmetic.
  /** `f32.add`. */
  f32_add(): this { return this.op(0x92); }
  /** `f32.sub`. */
  f32_sub(): this { return this.op(0x93); }
  /** `f32.mul`. */
  f32_mul(): this { return this.op(0x94); }
  /** `f32.div`. */
  f32_div(): this { return this.op(0x95); }
  /** `f32.max` (NaN if either is NaN; +0 above −0). */
  f32_max(): this { return this.op(0x97); }
  /** `f32.abs`. */
  f32_abs(): this { return this.op(0x8b); }
  /** `f32.neg`. */
  f32_neg(): this { return this.op(0x8c); }
  /** `f32.sqrt`. */
  f32_sqrt(): this { return this.op(0x91); }
  /** `f32.eq` (i32 1 or 0). */
  f32_eq(): this { return this.op(0x5b); }
  /** `f32.ne` (i32 1 or 0; `x ≠ x` only for NaN). */
  f32_ne(): this { return this.op(0x5c); }
  /** `f32.gt` (i32 1 or 0). */
  f32_gt(): this { return this.op(0x5e); }
  /** `f32.convert_i32_u`: 1 → 1.0, 0 → 0.0. */
  f32_convert_i32_u(): this { return this.op(0xb3); }
  /** `f64.add`. */
  f64_add(): this { return this.op(0xa0); }
  /** `f64.mul`. */
  f64_mul(): this { return this.op(0xa2); }
  /** `f64.promote_f32`: a float32 widened to float64 (exact). */
  f64_promote_f32(): this { return this.op(0xbb); }
  /** `f32.demote_f64`: a float64 rounded to the nearest float32. */
  f32_demote_f64(): this { return this.op(0xb6); }

  // SIMD: a v128 holds four float32 lanes.
  /** `v128.load`: 16 bytes. */
  v128_load(offset = 0): this { return this.simd(0x00, ...this.memarg(4, offset)); }
  /** `v128.load32_splat`: one float32 copied into all four lanes. */
  v128_load32_splat(offset = 0): this { return this.simd(0x09, ...this.memarg(2, offset)); }
  /** `v128.store` (address, vector). */
  v128_store(offset = 0): this { return this.simd(0x0b, ...this.memarg(4, offset)); }
  /** `f32x4.extract_lane`: lane `lane` (0–3) of a vector as a float32. */
  f32x4_extract_lane(lane: number): this { return this.simd(0x1f, lane); }
  /** `f32x4.splat`: a float32 on the stack copied into four lanes. */
  f32x4_splat(): this { return this.simd(0x13); }
  /** `v128.and`: bitwise and (a comparison mask and `1.0` lanes give 1.0 or 0.0). */
  v128_and(): this { return this.simd(0x4e); }
  /** `f32x4.eq`: all-ones lanes where equal. */
  f32x4_eq(): this { return this.simd(0x41); }
  /** `f32x4.gt`: all-ones lanes where a > b. */
  f32x4_gt(): this { return this.simd(0x44); }
  /** `f32x4.abs`. */
  f32x4_abs(): this { return this.simd(0xe0); }
  /** `f32x4.neg`. */
  f32x4_neg(): this { return this.simd(0xe1); }
  /** `f32x4.sqrt`. */
  f32x4_sqrt(): this { return this.simd(0xe3); }
  /** `f32x4.add`. */
  f32x4_add(): this { return this.simd(0xe4); }
  /** `f32x4.sub`. */
  f32x4_sub(): this { return this.simd(0xe5); }
  /** `f32x4.mul`. */
  f32x4_mul(): this { return this.simd(0xe6); }
  /** `f32x4.div`. */
  f32x4_div(): this { return this.simd(0xe7); }
  /** `f32x4.max` (NaN if either is NaN; +0 above −0, like `Math.max`). */
  f32x4_max(): this { return this.simd(0xe9); }
  /** `v128.load64_zero`: eight bytes (two float32) into the low half, zeros above. */
  v128_load64_zero(offset = 0): this { return this.simd(0x5d, ...this.memarg(3, offset)); }
  /** `v128.store64_lane`: store the 64-bit lane `lane` (two float32 after a demote: lane 0). */
  v128_store64_lane(lane: number, offset = 0): this { return this.simd(0x5b, ...this.memarg(3, offset), lane); }
  /** `f64x2.splat`. */
  f64x2_splat(): this { return this.simd(0x14); }
  /** `f64x2.add`. */
  f64x2_add(): this { return this.simd(0xf0); }
  /** `f64x2.mul`. */
  f64x2_mul(): this { return this.simd(0xf2); }
  /** `f64x2.promote_low_f32x4`: the two low float32 lanes widened to float64 (exact). */
  f64x2_promote_low_f32x4(): this { return this.simd(0x5f); }
  /** `f32x4.demote_f64x2_zero`: both float64 lanes rounded to float32 into the low lanes, zeros above. */
  f32x4_demote_f64x2_zero(): this { return this.simd(0x5e); }

  /**
   * `for (i = start; i < end; i += step) body()` with `i`, `end` locals (signed compare)
   * and `step` a constant or `{ local }`.
   * Emits `block / loop / br_if exit / body / i += step / br loop / end / end`; inside
   * `body` label 0 is the loop and label 1 the exit.
   */
  forLoop(i: number, start: () => void, end: number, step: number | { local: number }, body: () => void): this {
    start();
    this.set(i);
    this.block().loop();
    this.get(i).get(end).i32_ge_s().br_if(1);
    body();
    this.get(i);
    if (typeof step === 'number') this.i32_const(step);
    else this.get(step.local);
    this.i32_add().set(i);
    this.br(0).end().end();
    return this;
  }
}

/** One exported function of a {@link ModuleBuilder}. */
interface ExportedFunction {
  name: string;
  body: FunctionBuilder;
}

/**
 * A module of exported functions over one imported memory (`env.memory`, at least
 * `minPages` pages of 64 KiB). {@link ModuleBuilder.encode} writes the binary.
 *
 * @example
 * const m = new ModuleBuilder(1);
 * const f = m.func('double', [F32], [F32]);
 * f.get(0).get(0).f32_add();
 * const bytes = m.encode();
 * const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: new WebAssembly.Memory({ initial: 1 }) } });
 * (instance.exports.double as (x: number) => number)(1.5); // 3
 */
export class ModuleBuilder {
  private readonly functions: ExportedFunction[] = [];

  /** A module importing a memory of at least `minPages` pages. */
  constructor(private readonly minPages: number) {}

  /** Add an exported function; write its instructions into the returned builder. */
  func(name: string, params: readonly ValueType[], results: readonly ValueType[]): FunctionBuilder {
    const body = new FunctionBuilder(params, results);
    this.functions.push({ name, body });
    return body;
  }

  /** The module's binary. */
  encode(): Uint8Array<ArrayBuffer> {
    const fns = this.functions;
    const types = fns.map(({ body }) => [0x60, ...vector(body.params.map((t) => [t])), ...vector(body.results.map((t) => [t]))]);
    const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x00, ...u32(this.minPages)];
    const exports = fns.map((f, i) => [...name(f.name), 0x00, ...u32(i)]);
    const bodies = fns.map(({ body }) => {
      // Locals are declared in runs of one type: (count, type).
      const runs: number[][] = [];
      for (const t of body.locals) {
        const last = runs[runs.length - 1];
        if (last && last[1] === t) last[0]++;
        else runs.push([1, t]);
      }
      const content = [...vector(runs.map(([count, t]) => [...u32(count), t])), ...body.code, 0x0b];
      return [...u32(content.length), ...content];
    });
    return new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, // "\0asm"
      0x01, 0x00, 0x00, 0x00, // version 1
      ...section(1, vector(types)),
      ...section(2, vector([memoryImport])),
      ...section(3, vector(fns.map((_, i) => u32(i)))),
      ...section(7, vector(exports)),
      ...section(10, vector(bodies)),
    ]);
  }
}
