#ifndef FUNDRECON_CDEFLATELEVEL_H
#define FUNDRECON_CDEFLATELEVEL_H
/* Nothing to call: the target only defines zlib's deflateInit2_ (see DeflateLevel.c). */
#endif
