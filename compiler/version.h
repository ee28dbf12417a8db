/* version.h — pipec's version: printed by --version, and written into every
 * program pipec emits (its --version, the start record of its traces). */
#ifndef PIPEC_VERSION_H
#define PIPEC_VERSION_H

#ifndef PIPEC_VERSION
#define PIPEC_VERSION "0.1.0"
#endif

#endif
