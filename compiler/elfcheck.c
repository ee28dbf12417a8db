/* elfcheck.c — `pipec build --sandbox`: code of an extern proc's C that runs
 * before main() would run before the binary confines itself, so each object
 * is inspected (its Elf64 headers, read here) before it is linked. */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfcheck.h"

#ifndef SHT_LLVM_ADDRSIG
#define SHT_LLVM_ADDRSIG 0x6fff4c03 /* clang's address-significance table */
#endif

/* A whole file in memory. */
typedef struct Image {
    unsigned char *p;
    size_t n;
} Image;

static bool image_load(const char *path, Image *im)
{
    FILE *f = fopen(path, "rb");
    im->p = NULL;
    im->n = 0;
    if (!f)
        return false;
    size_t cap = 0;
    for (;;) {
        if (im->n == cap) {
            cap = cap ? 2 * cap : 1 << 16;
            unsigned char *grown = realloc(im->p, cap);
            if (!grown)
                break;
            im->p = grown;
        }
        size_t got = fread(im->p + im->n, 1, cap - im->n, f);
        im->n += got;
        if (got == 0)
            break;
    }
    bool ok = !ferror(f) && im->p;
    fclose(f);
    return ok;
}

/* Copies size bytes at off into dst (the image need not be aligned): false
 * when they are not all inside. */
static bool image_read(const Image *im, uint64_t off, void *dst, size_t size)
{
    if (off > im->n || size > im->n - off)
        return false;
    memcpy(dst, im->p + off, size);
    return true;
}

/* An x86-64 ELF file's header and its count of sections (large counts are
 * kept in section 0); false for anything else. */
static bool elf_header(const Image *im, Elf64_Ehdr *eh, size_t *nsec)
{
    Elf64_Shdr s0;
    if (!image_read(im, 0, eh, sizeof *eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
        eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64 ||
        eh->e_shentsize != sizeof(Elf64_Shdr) || !image_read(im, eh->e_shoff, &s0, sizeof s0))
        return false;
    *nsec = eh->e_shnum ? eh->e_shnum : s0.sh_size;
    return *nsec <= (im->n - eh->e_shoff) / sizeof(Elf64_Shdr);
}

static bool section(const Image *im, const Elf64_Ehdr *eh, size_t i, Elf64_Shdr *sh)
{
    return image_read(im, eh->e_shoff + i * sizeof *sh, sh, sizeof *sh);
}

/* The NUL-terminated string at off in string table strtab, or "?" when it is
 * not all inside. */
static const char *string_at(const Image *im, const Elf64_Shdr *strtab, uint64_t off)
{
    if (strtab->sh_offset > im->n || strtab->sh_size > im->n - strtab->sh_offset || off >= strtab->sh_size)
        return "?";
    const char *s = (const char *)im->p + strtab->sh_offset + off;
    return memchr(s, '\0', strtab->sh_size - off) ? s : "?";
}

/* Whether name is prefix or starts with prefix and a '.' (.text.startup). */
static bool named(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(name, prefix, n) == 0 && (name[n] == '\0' || name[n] == '.');
}

static bool named_any(const char *name, const char *const *prefixes)
{
    for (int i = 0; prefixes[i]; i++)
        if (named(name, prefixes[i]))
            return true;
    return false;
}

/* Sections that run code before main(): the startup code's arrays of
 * constructors (also by name: the linker places sections by name) and its
 * .init code. */
static const char *const premain_sections[] = {".init_array", ".preinit_array", ".ctors", ".init", NULL};

/* The sections plain C compiles to: code, constants, data, thread-locals,
 * unwind tables, notes of the build, destructors (they run after main,
 * confined), debug information.  Any other name could be one the linker or
 * the dynamic loader acts on before main (.rela.dyn, .interp, .dynamic,
 * .tm_clone_table, ...), and an LTO object's code is made at link time,
 * unseen here. */
static const char *const data_sections[] = {
    ".text", ".rodata", ".data", ".bss", ".tdata", ".tbss", ".ldata", ".lbss", ".lrodata", ".eh_frame",
    ".gcc_except_table", ".fini_array", ".note.gnu.property", ".note.GNU-stack", ".comment", NULL,
};

/* Whether section sh named name is one plain C compiles to (see above). */
static bool section_plain(const Elf64_Shdr *sh, const char *name)
{
    switch (sh->sh_type) {
    case SHT_PROGBITS:
    case SHT_NOBITS:
    case SHT_NOTE:
    case SHT_X86_64_UNWIND:
    case SHT_FINI_ARRAY:
        return named_any(name, data_sections) || !strncmp(name, ".debug_", 7) || !strncmp(name, ".zdebug_", 8);
    case SHT_RELA: /* consumed by the linker, not copied; their types are checked */
    case SHT_REL:
    case SHT_NULL:
        return true;
    case SHT_SYMTAB: return !strcmp(name, ".symtab");
    case SHT_STRTAB: return !strcmp(name, ".strtab") || !strcmp(name, ".shstrtab");
    case SHT_SYMTAB_SHNDX: return !strcmp(name, ".symtab_shndx");
    case SHT_GROUP: return !strcmp(name, ".group");
    case SHT_LLVM_ADDRSIG: return !strcmp(name, ".llvm_addrsig");
    default: return false;
    }
}

/* Reports one thing found in src. */
static void refuse(const char *src, const char *what, const char *name)
{
    fprintf(stderr, "%s: error: --sandbox refuses %s '%s': it would run before the binary confines itself\n", src,
            what, name);
}

/* Checks the sections of the object: false after reporting. */
static bool check_sections(const Image *im, const Elf64_Ehdr *eh, size_t nsec, const Elf64_Shdr *names,
                           const char *src)
{
    bool ok = true;
    for (size_t i = 1; i < nsec; i++) {
        Elf64_Shdr sh;
        if (!section(im, eh, i, &sh))
            return false;
        const char *name = string_at(im, names, sh.sh_name);
        if (sh.sh_type == SHT_INIT_ARRAY || sh.sh_type == SHT_PREINIT_ARRAY || named_any(name, premain_sections))
            refuse(src, "a constructor: section", name);
        else if (!strncmp(name, ".gnu.lto_", 9) || !strcmp(name, ".gnu_object_only"))
            refuse(src, "an LTO object (code made at link time, unchecked): section", name);
        else if (!section_plain(&sh, name))
            refuse(src, "a section that plain C does not compile to:", name);
        else
            continue;
        ok = false;
    }
    return ok;
}

/* The C library's, the startup code's and the runtime's symbols that an
 * object could replace (malloc, getenv, __libc_start_main, __gmon_start__,
 * ...) are called before the binary confines itself: an extern proc's
 * object may define pipe_extern_NAME functions only, all else static. */
static bool symbol_allowed(const Elf64_Sym *s, const char *name)
{
    int bind = ELF64_ST_BIND(s->st_info);
    if (ELF64_ST_TYPE(s->st_info) == STT_GNU_IFUNC)
        return false;
    return bind == STB_LOCAL || s->st_shndx == SHN_UNDEF || !strncmp(name, "pipe_extern_", 12);
}

/* Checks the symbols of symbol table sh: false after reporting. */
static bool check_symbols(const Image *im, const Elf64_Ehdr *eh, size_t nsec, const Elf64_Shdr *sh,
                          const char *src)
{
    Elf64_Shdr strtab;
    if (sh->sh_link >= nsec || !section(im, eh, sh->sh_link, &strtab))
        return false;
    bool ok = true;
    for (uint64_t off = sizeof(Elf64_Sym); off + sizeof(Elf64_Sym) <= sh->sh_size; off += sizeof(Elf64_Sym)) {
        Elf64_Sym s;
        if (!image_read(im, sh->sh_offset + off, &s, sizeof s))
            return false;
        const char *name = string_at(im, &strtab, s.st_name);
        if (symbol_allowed(&s, name))
            continue;
        if (ELF64_ST_TYPE(s.st_info) == STT_GNU_IFUNC)
            refuse(src, "an IFUNC resolver: symbol", name);
        else
            fprintf(stderr,
                    "%s: error: --sandbox refuses the definition of '%s': an extern proc's C may define only its "
                    "pipe_extern_NAME functions (make the rest static), as a definition could replace a function "
                    "the binary calls before it confines itself\n",
                    src, name);
        ok = false;
    }
    return ok;
}

/* Relocation types only a linker makes, for the dynamic loader: IRELATIVE
 * calls an IFUNC resolver while the program loads. */
static bool reloc_dynamic(uint32_t type)
{
    return type == R_X86_64_IRELATIVE || type == R_X86_64_COPY || type == R_X86_64_GLOB_DAT ||
           type == R_X86_64_JUMP_SLOT || type == R_X86_64_RELATIVE || type == R_X86_64_RELATIVE64;
}

/* Checks the relocations of section sh (RELA or REL): false after reporting
 * the first one refused. */
static bool check_relocs(const Image *im, const Elf64_Shdr *sh, const char *name, const char *src)
{
    size_t size = sh->sh_type == SHT_RELA ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel);
    for (uint64_t off = 0; off + size <= sh->sh_size; off += size) {
        Elf64_Rel r; /* r_info is where Elf64_Rela has it too */
        if (!image_read(im, sh->sh_offset + off, &r, sizeof r))
            return false;
        if (reloc_dynamic((uint32_t)ELF64_R_TYPE(r.r_info))) {
            char what[80];
            snprintf(what, sizeof what, "a dynamic relocation (type %u) in section", (unsigned)ELF64_R_TYPE(r.r_info));
            refuse(src, what, name);
            return false;
        }
    }
    return true;
}

bool elf_check_extern(const char *obj, const char *src)
{
    Image im;
    Elf64_Ehdr eh;
    Elf64_Shdr names;
    size_t nsec = 0;
    bool ok = image_load(obj, &im) && elf_header(&im, &eh, &nsec) && eh.e_type == ET_REL &&
              section(&im, &eh, eh.e_shstrndx == SHN_XINDEX ? 0 : eh.e_shstrndx, &names);
    if (ok && eh.e_shstrndx == SHN_XINDEX)
        ok = names.sh_link < nsec && section(&im, &eh, names.sh_link, &names);
    if (!ok) {
        fprintf(stderr, "%s: error: --sandbox cannot check its object %s: not an x86-64 ELF object\n", src, obj);
        free(im.p);
        return false;
    }
    ok = check_sections(&im, &eh, nsec, &names, src);
    for (size_t i = 1; i < nsec; i++) {
        Elf64_Shdr sh;
        if (!section(&im, &eh, i, &sh))
            break;
        if (sh.sh_type == SHT_SYMTAB)
            ok &= check_symbols(&im, &eh, nsec, &sh, src);
        else if (sh.sh_type == SHT_RELA || sh.sh_type == SHT_REL)
            ok &= check_relocs(&im, &sh, string_at(&im, &names, sh.sh_name), src);
    }
    free(im.p);
    return ok;
}

long elf_premain_count(const char *exe)
{
    Image im;
    Elf64_Ehdr eh;
    size_t nsec = 0;
    long count = -1;
    if (image_load(exe, &im) && elf_header(&im, &eh, &nsec)) {
        count = 0;
        for (size_t i = 1; i < nsec && count >= 0; i++) {
            Elf64_Shdr sh;
            if (!section(&im, &eh, i, &sh)) {
                count = -1;
            } else if (sh.sh_type == SHT_INIT_ARRAY || sh.sh_type == SHT_PREINIT_ARRAY) {
                count += (long)(sh.sh_size / 8);
            } else if (sh.sh_type == SHT_RELA) {
                for (uint64_t off = 0; off + sizeof(Elf64_Rela) <= sh.sh_size; off += sizeof(Elf64_Rela)) {
                    Elf64_Rela r;
                    if (!image_read(&im, sh.sh_offset + off, &r, sizeof r))
                        break;
                    count += ELF64_R_TYPE(r.r_info) == R_X86_64_IRELATIVE;
                }
            }
        }
    }
    free(im.p);
    return count;
}
