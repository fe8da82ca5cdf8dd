#!/usr/bin/env python3
"""Writes synthetic Accel-Sim (NVBit tracer version 5) text traces of simple kernels.

saxpy  y[i] = a * x[i] + y[i] for i < n, one element per thread: the bundled demo trace.
stream a grid-stride saxpy loop with gathers, shared-memory staging and a reduction tail: a
       large, mixed trace for parse benchmarks (every address mode, ~40 bytes per line).

Register use and the instruction sequence follow what nvcc emits for sm_80 (S2R of tid/ctaid,
IMAD for the global index, IMAD.WIDE for addresses, LDG/FFMA/STG), so dependencies are realistic.
"""
import argparse
import os
import sys

FULL = 0xFFFFFFFF


def header(name, grid, block, nregs):
    return (f"-kernel name = {name}\n-kernel id = 1\n-grid dim = ({grid},1,1)\n"
            f"-block dim = ({block},1,1)\n-shmem = 0\n-nregs = {nregs}\n-binary version = 80\n"
            "-cuda stream id = 0\n-shmem base_addr = 0x00007f0000000000\n"
            "-local mem base_addr = 0x00007e0000000000\n-nvbit version = 1.7\n"
            "-accelsim tracer version = 5\n-enable lineinfo = 0\n\n"
            "#traces format = [line_num] PC mask dest_num [reg_dests] opcode src_num [reg_srcs] "
            "mem_width [adrrescompress?] [mem_addresses] immediate\n\n")


def contiguous(mask):
    m = mask >> ((mask & -mask).bit_length() - 1) if mask else 0
    return (m & (m + 1)) == 0


def mem(mask, addrs, width):
    """Address field: mode 1 for a contiguous constant stride, else mode 2."""
    if not addrs:
        return f"{width} 1 0x0 0"
    stride = addrs[1] - addrs[0] if len(addrs) > 1 else 0
    if contiguous(mask) and all(b - a == stride for a, b in zip(addrs, addrs[1:])):
        return f"{width} 1 0x{addrs[0]:x} {stride}"
    deltas = " ".join(str(b - a) for a, b in zip(addrs, addrs[1:]))
    return f"{width} 2 0x{addrs[0]:x}" + (" " + deltas if deltas else "")


def lanes(mask):
    return [i for i in range(32) if mask >> i & 1]


def saxpy_warp(cta, warp, block, n, x, y):
    base = cta * block + warp * 32
    live = sum(1 << l for l in range(32) if base + l < n)
    dead = FULL & ~live
    out = ["0000 ffffffff 1 R1 MOV 0 0 0", "0010 ffffffff 1 R0 S2R 0 0 0",
           "0020 ffffffff 1 R3 S2R 0 0 0", "0030 ffffffff 1 R0 IMAD 2 R3 R0 0 0",
           "0040 ffffffff 0 ISETP.GE.AND 1 R0 0 0", f"0050 {dead:08x} 0 EXIT 0 0 0"]
    if live == 0:
        return out
    ids = [base + l for l in lanes(live)]
    out += [f"0060 {live:08x} 1 R5 HFMA2.MMA 2 R255 R255 0 0",
            f"0070 {live:08x} 0 ULDC.64 0 0 0",
            f"0080 {live:08x} 1 R2 IMAD.WIDE 2 R0 R5 0 0",
            f"0090 {live:08x} 1 R4 IMAD.WIDE 2 R0 R5 0 0",
            f"00a0 {live:08x} 1 R2 LDG.E 1 R2 {mem(live, [x + 4 * i for i in ids], 4)} 0",
            f"00b0 {live:08x} 1 R7 LDG.E 1 R4 {mem(live, [y + 4 * i for i in ids], 4)} 0",
            f"00c0 {live:08x} 1 R7 FFMA 2 R2 R7 0 0",
            f"00d0 {live:08x} 0 STG.E 2 R4 R7 {mem(live, [y + 4 * i for i in ids], 4)} 0",
            f"00e0 {live:08x} 0 EXIT 0 0 0"]
    return out


def stream_warp(cta, warp, block, grid, iters, x, y, idx, shared):
    """Grid-stride loop: per iteration a coalesced load pair, a gather (mode 2), a shared-memory
    round trip, four FFMAs and a coalesced store; every 16th iteration a scattered mode-0 load."""
    out = ["0000 ffffffff 1 R1 MOV 0 0 0", "0010 ffffffff 1 R0 S2R 0 0 0",
           "0020 ffffffff 1 R3 S2R 0 0 0", "0030 ffffffff 1 R0 IMAD 2 R3 R0 0 0",
           "0040 ffffffff 1 R9 MOV 0 0 0", "0050 ffffffff 1 R5 HFMA2.MMA 2 R255 R255 0 0"]
    first = cta * block + warp * 32
    step = grid * block
    sh = shared + 4 * 32 * warp
    for it in range(iters):
        i0 = first + it * step
        xs, ys = x + 4 * i0, y + 4 * i0
        gather = [idx + 4 * ((i0 + l) * 2654435761 % (1 << 20)) for l in range(32)]
        out += [
            "0060 ffffffff 1 R2 IMAD.WIDE 2 R0 R5 0 0",
            "0070 ffffffff 1 R4 IMAD.WIDE 2 R0 R5 0 0",
            f"0080 ffffffff 1 R6 LDG.E 1 R2 4 1 0x{xs:x} 4 0",
            f"0090 ffffffff 1 R7 LDG.E 1 R4 4 1 0x{ys:x} 4 0",
            f"00a0 ffffffff 1 R8 LDG.E.CONSTANT 1 R2 {mem(FULL, gather, 4)} 0",
            f"00b0 ffffffff 0 STS 2 R1 R6 4 1 0x{sh:x} 4 0",
            "00c0 ffffffff 0 BAR.SYNC.DEFER_BLOCKING 0 0 0",
            f"00d0 ffffffff 1 R6 LDS 1 R1 4 1 0x{sh:x} 4 0",
            "00e0 ffffffff 1 R7 FFMA 3 R6 R8 R7 0 0",
            "00f0 ffffffff 1 R9 FFMA 3 R7 R7 R9 0 0",
            "0100 ffffffff 1 R10 FMUL 2 R7 R8 0 0",
            "0110 ffffffff 1 R9 FFMA 3 R10 R6 R9 0 0",
            f"0120 ffffffff 0 STG.E 2 R4 R7 4 1 0x{ys:x} 4 0",
            "0130 ffffffff 1 R0 IADD3 3 R0 R255 R255 0 0",
            "0140 ffffffff 0 ISETP.GE.AND 2 R0 R255 0 0",
        ]
        if it % 16 == 15:
            scattered = " ".join(f"0x{a:016x}" for a in gather[::-1])
            out.append(f"0150 ffffffff 1 R11 LDG.E 1 R2 4 0 {scattered} 0")
        out.append("0160 ffffffff 0 BRA 0 0 -256")
    out += ["0170 ffffffff 1 R9 SHFL.BFLY 2 R9 R255 0 16", "0180 ffffffff 1 R9 FADD 2 R9 R9 0 0",
            f"0190 00000001 0 RED.E.ADD.F32.FTZ.RN 2 R2 R9 4 1 0x{x - 64:x} 0 0",
            "01a0 ffffffff 0 EXIT 0 0 0"]
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("kernel", choices=["saxpy", "stream"])
    p.add_argument("out_dir")
    p.add_argument("--ctas", type=int, default=24)
    p.add_argument("--threads", type=int, default=256)
    p.add_argument("--n", type=int, default=None, help="saxpy: elements (default: all threads - 200)")
    p.add_argument("--iters", type=int, default=64, help="stream: loop iterations per thread")
    a = p.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    x, y, idx, shared = 0x7f3a00000000, 0x7f3a40000000, 0x7f3b00000000, 0x7f0000000000
    warps = (a.threads + 31) // 32
    path = os.path.join(a.out_dir, "kernel-1.traceg")
    if a.kernel == "saxpy":
        n = a.n if a.n is not None else a.ctas * a.threads - 200
        name, nregs = "_Z5saxpyifPKfPf", 8
        copies = [(x, 4 * n), (y, 4 * n)]
    else:
        name, nregs = "_Z12stream_gatheriPKfS0_Pfi", 16
        n = a.ctas * a.threads * a.iters
        copies = [(x, 4 * n), (y, 4 * n), (idx, 4 << 20)]
    with open(path, "w") as f:
        f.write(header(name, a.ctas, a.threads, nregs))
        for c in range(a.ctas):
            f.write(f"#BEGIN_TB\n\nthread block = {c},0,0\n\n")
            for w in range(warps):
                if a.kernel == "saxpy":
                    lines = saxpy_warp(c, w, a.threads, n, x, y)
                else:
                    lines = stream_warp(c, w, a.threads, a.ctas, a.iters, x, y, idx, shared)
                f.write(f"warp = {w}\ninsts = {len(lines)}\n")
                f.write("\n".join(lines))
                f.write("\n\n")
            f.write("#END_TB\n\n")
    with open(os.path.join(a.out_dir, "kernelslist.g"), "w") as f:
        for addr, size in copies:
            f.write(f"MemcpyHtoD,0x{addr:016x},{size}\n")
        f.write("kernel-1.traceg\n")
    print(f"wrote {a.out_dir}/kernelslist.g and {path} ({os.path.getsize(path)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
