/* elfcheck.h — `pipec build --sandbox`: looks inside the objects of extern
 * procs' C and the linked binary for code that would run before main(). */
#ifndef PIPEC_ELFCHECK_H
#define PIPEC_ELFCHECK_H

#include <stdbool.h>

/* Whether the x86-64 relocatable object obj (compiled from src) is free of
 * code that runs before main(); false after printing "SRC: error: --sandbox
 * ..." for each thing found. */
bool elf_check_extern(const char *obj, const char *src);

/* How much runs before main() in the executable exe: its .init_array and
 * .preinit_array entries plus its IRELATIVE relocations (IFUNC resolvers);
 * -1 when exe is no x86-64 ELF file that can be read. */
long elf_premain_count(const char *exe);

#endif
