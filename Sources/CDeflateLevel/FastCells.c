/* libxlsxwriter's writers of a cell, a number cell, an inline text cell, a formula's cached
   number, a plain row's start tag and any end tag, seen first by the dynamic linker like
   lxw_worksheet_assemble_xml_file in RowsInPlace.c (Debian's 1.1.4 calls them through the
   PLT). Its writers make one fprintf per cell (eight for a formula's, a list of attributes
   allocated one by one for a row or a blank), whose format is parsed again every time, name
   each cell with a snprintf, copy each text to escape it, and a number goes through glibc's
   multi-precision %.16G: together a sixth of the workbook's fill. These write the same
   bytes with fwrite: a number by fundrecon_format_g16, exact integer arithmetic that gives
   %.16G's text for the values a workbook holds (zero, and 1e-4 to 1e15 in magnitude), and
   by snprintf's "%.16G" for any other.

   Only while fundrecon_cells_written_directly() (CSupport) says so; otherwise the calls go
   on to libxlsxwriter's own. Linux/glibc only (RTLD_NEXT): elsewhere this file holds only
   the formatter. */
#if defined(__linux__)
#define _GNU_SOURCE /* RTLD_NEXT: before any header */
#endif
#include "CDeflateLevel.h"
#include "CSupport.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const uint64_t powers_of_ten[20] = {
    1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL,
    10000000000ULL, 100000000000ULL, 1000000000000ULL, 10000000000000ULL, 100000000000000ULL,
    1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL, 1000000000000000000ULL,
    10000000000000000000ULL};

/* v's 16 significant digits, rounded as printf rounds (to nearest, ties to even, from v's
   exact binary value), and the decimal exponent of the first: v ≈ digits × 10^(exponent − 15).
   0 when v is outside what is done here. */
static int sixteen_digits(double v, uint64_t *digits, int *exponent) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    int biased = (int)((bits >> 52) & 0x7FF);
    if (biased == 0 || biased == 0x7FF) return 0; /* zero, subnormal, infinite, not a number */
    double magnitude = fabs(v);
    if (!(magnitude >= 1e-4 && magnitude < 1e15)) return 0;
    uint64_t mantissa = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
    int shift = 1075 - biased; /* v = mantissa / 2^shift; shift >= 3 below 1e15 */
    if (shift < 1 || shift > 120) return 0;
    int e = (int)floor(log10(magnitude)); /* may be one off near a power of ten: checked below */
    for (int tries = 0; tries < 3; tries++) {
        int k = 15 - e;
        if (k < 0 || k > 19) return 0;
        unsigned __int128 scaled = (unsigned __int128)mantissa * powers_of_ten[k]; /* < 2^117 */
        unsigned __int128 whole = scaled >> shift;
        /* The exact value, not the rounded one, fixes e: 10^e <= |v| < 10^(e+1). */
        if (whole < powers_of_ten[15]) {
            e -= 1;
            continue;
        }
        if (whole >= powers_of_ten[16]) {
            e += 1;
            continue;
        }
        unsigned __int128 rest = scaled - (whole << shift);
        unsigned __int128 half = (unsigned __int128)1 << (shift - 1);
        if (rest > half || (rest == half && (whole & 1))) whole += 1;
        if (whole == powers_of_ten[16]) { /* 9.999…95 rounds to 10: one more place */
            whole = powers_of_ten[15];
            e += 1;
        }
        *digits = (uint64_t)whole;
        *exponent = e;
        return 1;
    }
    return 0;
}

int fundrecon_format_g16(double v, char *out) {
    if (v == 0) { /* the commonest of all: a variance of nothing */
        int n = 0;
        if (signbit(v)) out[n++] = '-';
        out[n++] = '0';
        out[n] = 0;
        return n;
    }
    uint64_t digits;
    int exponent;
    if (!sixteen_digits(v, &digits, &exponent) || exponent < -4 || exponent >= 16) return -1;
    char d[16];
    for (int i = 15; i >= 0; i--) {
        d[i] = (char)('0' + digits % 10);
        digits /= 10;
    }
    int last = 15; /* the last digit kept: trailing zeros of the fraction go */
    int n = 0;
    if (v < 0) out[n++] = '-';
    if (exponent >= 0) {
        while (last > exponent && d[last] == '0') last--;
        for (int i = 0; i <= exponent; i++) out[n++] = d[i];
        if (last > exponent) {
            out[n++] = '.';
            for (int i = exponent + 1; i <= last; i++) out[n++] = d[i];
        }
    } else {
        while (d[last] == '0') last--; /* the first digit is not 0 */
        out[n++] = '0';
        out[n++] = '.';
        for (int i = 0; i < -exponent - 1; i++) out[n++] = '0';
        for (int i = 0; i <= last; i++) out[n++] = d[i];
    }
    out[n] = 0;
    return n;
}

#if defined(__linux__)
#include <ctype.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <xlsxwriter.h>

typedef void (*cell_writer)(lxw_worksheet *, char *, int32_t, lxw_cell *);

static long cells_written = 0;

long fundrecon_cells_written_here(void) { return __atomic_load_n(&cells_written, __ATOMIC_RELAXED); }

/* A cell's XML gathered before one fwrite; longer texts are written piece by piece. */
struct line {
    char text[512];
    size_t length;
    FILE *file;
};

static void put(struct line *l, const char *bytes, size_t n) {
    if (l->length + n > sizeof l->text) {
        fwrite(l->text, 1, l->length, l->file);
        l->length = 0;
        if (n > sizeof l->text) {
            fwrite(bytes, 1, n, l->file);
            return;
        }
    }
    memcpy(l->text + l->length, bytes, n);
    l->length += n;
}

static void put_text(struct line *l, const char *s) { put(l, s, strlen(s)); }

/* Writes what is gathered. Its failure, like fprintf's, leaves the stream's error flag set,
   which the XLSX layer checks before the workbook closes (SheetBuffers.flushBeforeClose). */
static void finish(struct line *l) { fwrite(l->text, 1, l->length, l->file); }

static void put_decimal(struct line *l, uint32_t value) {
    char digits[12];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    while (n) put(l, &digits[--n], 1);
}

/* `<c r="A1"` and, for a style, ` s="3"`: what each of libxlsxwriter's cell formats opens with. */
static void open_cell(struct line *l, const char *range, int32_t style_index) {
    put(l, "<c r=\"", 6);
    put_text(l, range);
    put(l, "\"", 1);
    if (style_index) {
        put(l, " s=\"", 4);
        put_decimal(l, (uint32_t)style_index); /* an index into the styles: never negative */
        put(l, "\"", 1);
    }
}

/* A number as libxlsxwriter writes one: "%.16G". */
static int number_text(double v, char out[48]) {
    int n = fundrecon_format_g16(v, out);
    return n >= 0 ? n : snprintf(out, 48, "%.16G", v);
}

static void count_one(void) { __atomic_fetch_add(&cells_written, 1, __ATOMIC_RELAXED); }

void _write_number_cell(lxw_worksheet *self, char *range, int32_t style_index, lxw_cell *cell) {
    if (!fundrecon_cells_written_directly()) {
        cell_writer next = (cell_writer)dlsym(RTLD_NEXT, "_write_number_cell");
        if (next) next(self, range, style_index, cell);
        return;
    }
    char number[48];
    int n = number_text(cell->u.number, number);
    struct line l = {.length = 0, .file = self->file};
    open_cell(&l, range, style_index);
    put(&l, "><v>", 4);
    put(&l, number, (size_t)n);
    put(&l, "</v></c>", 8);
    finish(&l);
    count_one();
}

/* Text as lxw_escape_data escapes it (& < > only), into the line without a copy. */
static void put_escaped(struct line *l, const char *text, size_t length) {
    size_t start = 0;
    for (size_t i = 0; i < length; i++) {
        const char *entity;
        size_t n;
        switch (text[i]) {
        case '&': entity = "&amp;", n = 5; break;
        case '<': entity = "&lt;", n = 4; break;
        case '>': entity = "&gt;", n = 4; break;
        default: continue;
        }
        put(l, text + start, i - start);
        put(l, entity, n);
        start = i + 1;
    }
    put(l, text + start, length - start);
}

static void inline_string_cell(lxw_worksheet *self, const char *range, int32_t style_index, lxw_cell *cell) {
    const char *text = cell->u.string ? cell->u.string : "";
    size_t length = strlen(text);
    /* As libxlsxwriter decides it on the escaped text, whose first and last bytes are
       blank where the text's are; its texts are never empty (an empty one is a blank cell). */
    int preserve = length > 0 && (isspace((unsigned char)text[0]) || isspace((unsigned char)text[length - 1]));
    struct line l = {.length = 0, .file = self->file};
    open_cell(&l, range, style_index);
    put_text(&l, preserve ? " t=\"inlineStr\"><is><t xml:space=\"preserve\">" : " t=\"inlineStr\"><is><t>");
    put_escaped(&l, text, length);
    put(&l, "</t></is></c>", 13);
    finish(&l);
    count_one();
}

void _write_inline_string_cell(lxw_worksheet *self, char *range, int32_t style_index, lxw_cell *cell) {
    if (!fundrecon_cells_written_directly()) {
        cell_writer next = (cell_writer)dlsym(RTLD_NEXT, "_write_inline_string_cell");
        if (next) next(self, range, style_index, cell);
        return;
    }
    inline_string_cell(self, range, style_index, cell);
}

typedef void (*formula_writer)(lxw_worksheet *, lxw_cell *);

/* Inside a formula's <c>: "<f>" the formula, escaped when it holds & < or >, "</f><v>" its
   cached number "</v>", as lxw_xml_data_element writes each (eight fprintf and a snprintf). */
void _write_formula_num_cell(lxw_worksheet *self, lxw_cell *cell) {
    if (!fundrecon_cells_written_directly()) {
        formula_writer next = (formula_writer)dlsym(RTLD_NEXT, "_write_formula_num_cell");
        if (next) next(self, cell);
        return;
    }
    const char *formula = cell->u.string ? cell->u.string : "";
    char *escaped = strpbrk(formula, "&<>") ? lxw_escape_data(formula) : NULL;
    char number[48];
    int n = number_text(cell->formula_result, number);
    struct line l = {.length = 0, .file = self->file};
    put(&l, "<f>", 3);
    put_text(&l, escaped ? escaped : formula);
    put(&l, "</f><v>", 7);
    put(&l, number, (size_t)n);
    put(&l, "</v>", 4);
    finish(&l);
    free(escaped);
    count_one();
}

typedef void (*row_writer)(lxw_worksheet *, lxw_row *, char *);

/* A row's start tag: `<row r="12">` for a row with nothing but its number to say (no spans,
   style, height, hiding or outline: every row of a table here), as libxlsxwriter would
   write it through a list of attributes allocated one by one; any other row is its own. */
void _write_row(lxw_worksheet *self, lxw_row *row, char *spans) {
    double height = row->height_changed ? row->height : self->default_row_height;
    if (!fundrecon_cells_written_directly() || spans || row->format || height != LXW_DEF_ROW_HEIGHT || row->hidden
        || row->level || row->collapsed || self->excel_version == 2010) {
        row_writer next = (row_writer)dlsym(RTLD_NEXT, "_write_row");
        if (next) next(self, row, spans);
        return;
    }
    struct line l = {.length = 0, .file = self->file};
    put(&l, "<row r=\"", 8);
    put_decimal(&l, (uint32_t)row->row_num + 1);
    put_text(&l, row->data_changed ? "\">" : "\"/>");
    finish(&l);
}

typedef void (*end_tag_writer)(FILE *, const char *);

/* Every end tag libxlsxwriter writes, a row's most of all: "</tag>". */
void lxw_xml_end_tag(FILE *file, const char *tag) {
    if (!fundrecon_cells_written_directly()) {
        end_tag_writer next = (end_tag_writer)dlsym(RTLD_NEXT, "lxw_xml_end_tag");
        if (next) next(file, tag);
        return;
    }
    struct line l = {.length = 0, .file = file};
    put(&l, "</", 2);
    put_text(&l, tag);
    put(&l, ">", 1);
    finish(&l);
}
typedef void (*generic_cell_writer)(lxw_worksheet *, lxw_cell *, lxw_format *);

/* A cell's name, "A1", as lxw_rowcol_to_cell writes it (a snprintf a cell). */
static void cell_name(char out[LXW_MAX_CELL_NAME_LENGTH], lxw_row_t row, lxw_col_t col) {
    char letters[8];
    int n = 0;
    for (uint32_t c = (uint32_t)col + 1; c; c = (c - 1) / 26) {
        uint32_t remainder = c % 26;
        letters[n++] = (char)('A' + (remainder ? remainder : 26) - 1);
    }
    int at = 0;
    while (n) out[at++] = letters[--n];
    char digits[12];
    uint32_t number = (uint32_t)row + 1;
    n = 0;
    do {
        digits[n++] = (char)('0' + number % 10);
        number /= 10;
    } while (number);
    while (n) out[at++] = digits[--n];
    out[at] = 0;
}

/* Any cell of a row, as libxlsxwriter's _write_cell: its name and style worked out as it
   does, then a number, an inline text, a formula with a number for its result and a blank
   with a format written here; any other kind goes to libxlsxwriter's own. */
void _write_cell(lxw_worksheet *self, lxw_cell *cell, lxw_format *row_format) {
    int kind = cell->type;
    int here = kind == NUMBER_CELL || kind == INLINE_STRING_CELL || kind == BLANK_CELL
        || (kind == FORMULA_CELL && !cell->user_data2);
    if (!fundrecon_cells_written_directly() || !here) {
        generic_cell_writer next = (generic_cell_writer)dlsym(RTLD_NEXT, "_write_cell");
        if (next) next(self, cell, row_format);
        return;
    }
    char range[LXW_MAX_CELL_NAME_LENGTH];
    cell_name(range, cell->row_num, cell->col_num);
    int32_t style_index = 0;
    if (cell->format)
        style_index = lxw_format_get_xf_index(cell->format);
    else if (row_format)
        style_index = lxw_format_get_xf_index(row_format);
    else if (cell->col_num < self->col_formats_max && self->col_formats[cell->col_num])
        style_index = lxw_format_get_xf_index(self->col_formats[cell->col_num]);

    if (kind == NUMBER_CELL) {
        _write_number_cell(self, range, style_index, cell);
        return;
    }
    if (kind == INLINE_STRING_CELL) {
        inline_string_cell(self, range, style_index, cell);
        return;
    }
    /* A blank is written only with a format of its own. */
    if (kind == BLANK_CELL && !cell->format) return;
    struct line l = {.length = 0, .file = self->file};
    open_cell(&l, range, style_index);
    put_text(&l, kind == BLANK_CELL ? "/>" : ">");
    finish(&l);
    if (kind == FORMULA_CELL) { /* counted there */
        _write_formula_num_cell(self, cell);
        lxw_xml_end_tag(self->file, "c");
    } else {
        count_one();
    }
}
#endif
