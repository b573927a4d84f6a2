#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# tests/tree/check_man_symbols.py ROOT -- the manual documents libpmr's ABI,
# read from the markdown sources in ROOT/doc/man (no pandoc needed):
#  - every global symbol of client/libpmr.map has a section 3 page whose
#    NAME lists it and whose SYNOPSIS holds its prototype exactly as
#    client/include/libpmr.h declares it (a changed signature fails);
#  - every name a page's NAME lists, and every function its SYNOPSIS
#    declares, is exported (and libpmr.h declares no function the map
#    does not export);
#  - every PMR_E_* code libpmr.h defines is in some page's ERRORS, and
#    every PMR_E_* an ERRORS section names is defined;
#  - every **pmr_*(3)** cross-reference names a documented function or
#    page, libpmr(3)'s SEE ALSO lists every other section 3 page, and
#    doc/man/CMakeLists.txt builds every page there is.
# Prints each problem and exits 1 if there is one.
import glob
import os
import re
import sys

problems = []


# problem -- record one finding
def problem(msg):
    problems.append(msg)


# map_symbols -- the global names of the version script, in every version
# node (a node's list ends at its local: or its closing brace)
def map_symbols(path):
    text = re.sub(r"/\*.*?\*/", " ", open(path).read(), flags=re.S)
    names = set()
    for block in re.findall(r"global:(.*?)(?:local:|\})", text, re.S):
        names |= set(re.findall(r"\b(\w+)\s*;", block))
    return names


# norm -- a declaration with comments dropped and white space canonical
def norm(decl):
    decl = re.sub(r"/\*.*?\*/", " ", decl, flags=re.S)
    decl = re.sub(r"\s+", " ", decl).strip()
    decl = re.sub(r"\(\s+", "(", decl)
    decl = re.sub(r"\s+\)", ")", decl)
    decl = re.sub(r"\s*;$", "", decl)
    return decl


# func_name -- the function a declaration declares
def func_name(decl):
    m = re.search(r"\b(\w+)\s*\(", decl)
    return m.group(1) if m else None


# header_protos -- {name: normalized prototype} of the PMR_API declarations
def header_protos(path):
    text = open(path).read()
    protos = {}
    for m in re.finditer(r"^PMR_API\s+(.*?);", text, re.S | re.M):
        decl = norm(m.group(1))
        protos[func_name(decl)] = decl
    return protos


# header_errors -- the PMR_E_* codes of enum pmr_error (not its bounds)
def header_errors(path):
    text = open(path).read()
    m = re.search(r"enum pmr_error \{(.*?)\};", text, re.S)
    names = re.findall(r"\b(PMR_E_\w+)\s*=", m.group(1)) if m else []
    return {n for n in names if n not in ("PMR_E_BASE", "PMR_E_LAST")}


# sections -- {TITLE: body} of a markdown page's "# TITLE" sections
def sections(text):
    out = {}
    title = None
    for line in text.splitlines():
        m = re.match(r"# (.+)$", line)
        if m:
            title = m.group(1).strip()
            out[title] = ""
        elif title:
            out[title] += line + "\n"
    return out


# name_list -- the names before " - " in a NAME section
def name_list(body):
    names = re.split(r"\s+-\s", " ".join(body.split()), maxsplit=1)[0]
    return [n.strip() for n in names.split(",") if n.strip()]


# synopsis_decls -- the normalized declarations of a SYNOPSIS code block
def synopsis_decls(body):
    code = [l[4:] for l in body.splitlines() if l.startswith("    ")]
    code = [l for l in code if not l.lstrip().startswith("#")]
    return [norm(d) for d in "\n".join(code).split(";") if d.strip()]


# check -- run every check on the tree at ROOT
def check(root):
    man = os.path.join(root, "doc", "man")
    exported = map_symbols(os.path.join(root, "client", "libpmr.map"))
    header = os.path.join(root, "client", "include", "libpmr.h")
    protos = header_protos(header)
    errors = header_errors(header)
    if not exported:
        problem("libpmr.map: no global symbols found")
    for name in sorted(set(protos) - exported):
        problem("libpmr.h declares %s, libpmr.map does not export it" % name)

    pages = {}
    for path in sorted(glob.glob(os.path.join(man, "*.md"))):
        page = os.path.basename(path)[:-3]
        pages[page] = sections(open(path).read())

    documented = {}  # name -> pages whose NAME lists it
    error_text = ""
    for page, sec in pages.items():
        if not page.endswith(".3"):
            continue
        for title in ("NAME", "SYNOPSIS", "ERRORS", "SEE ALSO"):
            if title not in sec:
                problem("%s: no %s section" % (page, title))
        names = name_list(sec.get("NAME", ""))
        decls = synopsis_decls(sec.get("SYNOPSIS", ""))
        error_text += sec.get("ERRORS", "")
        if page == "libpmr.3":
            continue
        if page[:-2] not in names:
            problem("%s: NAME does not list %s" % (page, page[:-2]))
        for name in names:
            documented.setdefault(name, []).append((page, decls))
            if name not in exported:
                problem("%s: NAME lists %s, which libpmr.map does not "
                        "export" % (page, name))
        for d in decls:
            fn = func_name(d)
            if fn and not d.startswith(("typedef", "struct", "enum")) \
                    and fn not in exported:
                problem("%s: SYNOPSIS declares %s, which libpmr.map does "
                        "not export" % (page, fn))

    for sym in sorted(exported):
        if sym not in documented:
            problem("%s: no page's NAME lists it" % sym)
            continue
        want = protos.get(sym)
        if want is None:
            problem("%s: exported, but libpmr.h declares no prototype"
                    % sym)
            continue
        for page, decls in documented[sym]:
            if want not in decls:
                problem("%s: SYNOPSIS lacks the prototype of libpmr.h: %s;"
                        % (page, want))

    listed = set(re.findall(r"\bPMR_E_\w+", error_text.replace("\\", "")))
    for code in sorted(errors - listed):
        problem("%s: in no page's ERRORS section" % code)
    for code in sorted(listed - errors - {"PMR_E_BASE"}):
        problem("%s: named in an ERRORS section, not defined in libpmr.h"
                % code)

    known = set(documented) | {p[:-2] for p in pages if p.endswith(".3")}
    for page, sec in pages.items():
        text = "".join(sec.values())
        for ref in sorted(set(re.findall(r"\*\*(pmr_\w+)\*\*\(3\)", text))):
            if ref not in known:
                problem("%s: refers to %s(3), which no page documents"
                        % (page, ref))

    see_also = pages.get("libpmr.3", {}).get("SEE ALSO", "")
    for page in sorted(pages):
        if page.endswith(".3") and page != "libpmr.3" and \
                "**%s**(3)" % page[:-2] not in see_also:
            problem("libpmr.3: SEE ALSO does not list %s" % page)

    cmake = open(os.path.join(man, "CMakeLists.txt")).read()
    m = re.search(r"set\(PMRD_MAN_PAGES(.*?)\)", cmake, re.S)
    built = set(m.group(1).split()) if m else set()
    for page in sorted(set(pages) - built):
        problem("doc/man/CMakeLists.txt: PMRD_MAN_PAGES lacks %s" % page)
    for page in sorted(built - set(pages)):
        problem("doc/man/CMakeLists.txt: %s has no %s.md" % (page, page))
    return len(exported), len(pages)


# main -- check the tree named on the command line
def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: check_man_symbols.py SOURCE_ROOT\n")
        return 2
    nsym, npages = check(sys.argv[1])
    for p in problems:
        print("FAIL: " + p)
    if problems:
        return 1
    print("ok: %d exported symbols documented in %d pages" % (nsym, npages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
