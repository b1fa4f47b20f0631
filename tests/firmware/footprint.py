#!/usr/bin/env python3
"""Prints the flash and static-RAM footprint of Cortex-M ELF files.

flash = .vector_table + .text + .rodata (what the code needs in ROM; .data's
load image is listed separately), static RAM = .data + .bss + .uninit.
Reads ELF32 section headers directly: no toolchain binutils needed.
Usage: footprint.py ELF [ELF ...]
"""
import struct
import sys


def sections(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 1:
        raise SystemExit(f"{path}: not an ELF32 file")
    endian = "<" if data[5] == 1 else ">"
    (shoff,) = struct.unpack_from(endian + "I", data, 0x20)
    shentsize, shnum, shstrndx = struct.unpack_from(endian + "HHH", data, 0x2E)
    headers = [struct.unpack_from(endian + "IIIIIIIIII", data, shoff + i * shentsize) for i in range(shnum)]
    strtab_off = headers[shstrndx][4]
    out = {}
    for name_off, _type, _flags, _addr, _off, size, *_ in headers:
        end = data.index(b"\0", strtab_off + name_off)
        out[data[strtab_off + name_off:end].decode()] = size
    return out


def main():
    for path in sys.argv[1:]:
        s = sections(path)
        get = lambda n: s.get(n, 0)  # noqa: E731
        text, rodata, vt = get(".text"), get(".rodata"), get(".vector_table")
        data, bss, uninit = get(".data"), get(".bss"), get(".uninit")
        name = path.rsplit("/", 1)[-1]
        print(
            f"FOOTPRINT {name}: flash {vt + text + rodata} B (.vector_table {vt} + .text {text} + .rodata {rodata}), "
            f".text+.rodata {text + rodata} B, static RAM {data + bss + uninit} B (.data {data} + .bss {bss} + .uninit {uninit}), heap 0 B"
        )


if __name__ == "__main__":
    main()
