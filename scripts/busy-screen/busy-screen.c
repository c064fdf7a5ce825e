// busy-screen: a full-screen X11 client for `scripts/bench-latency --content busy`.
//
// Every frame it redraws a busy desktop (a terminal-like log scrolling in the
// bottom quarter, ticker text running between the code cells, coloured shapes
// moving over the whole screen) into an off-screen pixmap, then reads
// CLOCK_MONOTONIC, paints that time as the clock code of
// Sources/PixelpassMedia/ClockCode.swift on top, copies the pixmap to the
// window in one request and waits for the X server to have done it
// (XSync). A screen grabber that reads the code back therefore measures
// glass-to-glass: from the instant the picture is on the (virtual) screen.
//
// Clock code, as ClockCode.swift defines it: a 16 x 8 grid over the full
// width and the top 3/4 of the frame; cell edges at (i * length / count) & ~1
// (the last edge is the length itself). Row 0 alternates white, black, ...;
// rows 1-7 carry 112 bits, most significant first: CLOCK_MONOTONIC in µs
// (64 bits, big-endian), the frame counter (32 bits) and CRC-16/CCITT-FALSE
// (poly 0x1021, init 0xFFFF) over those 12 bytes. White is RGB 255 and black
// RGB 0: a BGRx capture converted to I420 (video range) gives luma 235 and 16,
// exactly what the clock source paints; the reader thresholds halfway between
// the reference row's means anyway.
//
// The reader averages only the middle half of each cell in each direction,
// so each cell's outer eighth on every side is left to the busy content (a
// gutter of a quarter cell between neighbours); the coloured code area covers
// the middle three quarters, well beyond what is read.
//
// Usage: busy-screen WIDTH HEIGHT [FPS]   (DISPLAY from the environment)
// SIGUSR1 prints the frame statistics since the previous SIGUSR1 on stdout
// ("frames N seconds S fps F paint_avg_ms A paint_max_ms M late L") and
// starts a new interval; SIGTERM/SIGINT end it. The pointer is parked in the
// bottom-right corner, away from the code.
#define _GNU_SOURCE
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { COLUMNS = 16, ROWS = 8 };

static volatile sig_atomic_t stop_requested = 0, report_requested = 0;
static void on_stop(int sig) { (void)sig; stop_requested = 1; }
static void on_report(int sig) { (void)sig; report_requested = 1; }

static uint64_t monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}

// ClockCode.edge
static int edge(int index, int count, int length) {
    return index == count ? length : (index * length / count) & ~1;
}

// ClockCode.crc16: CRC-16/CCITT-FALSE.
static uint16_t crc16(const uint8_t *bytes, int count) {
    uint16_t crc = 0xFFFF;
    for (int i = 0; i < count; i++) {
        crc ^= (uint16_t)bytes[i] << 8;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc & 0x8000) ? (uint16_t)(crc << 1 ^ 0x1021) : (uint16_t)(crc << 1);
    }
    return crc;
}

// ClockCode.cellValues: 128 cells row-major, 1 = white.
static void cell_values(uint64_t micros, uint32_t frame, uint8_t cells[COLUMNS * ROWS]) {
    uint8_t bytes[14];
    for (int i = 0; i < 8; i++) bytes[i] = (uint8_t)(micros >> (56 - 8 * i));
    for (int i = 0; i < 4; i++) bytes[8 + i] = (uint8_t)(frame >> (24 - 8 * i));
    uint16_t crc = crc16(bytes, 12);
    bytes[12] = (uint8_t)(crc >> 8);
    bytes[13] = (uint8_t)crc;
    for (int c = 0; c < COLUMNS; c++) cells[c] = (c % 2 == 0);
    for (int bit = 0; bit < 112; bit++)
        cells[COLUMNS + bit] = (bytes[bit / 8] >> (7 - bit % 8)) & 1;
}

static unsigned long rgb(Visual *visual, unsigned r, unsigned g, unsigned b) {
    // TrueColor: place each component under its mask.
    unsigned long masks[3] = {visual->red_mask, visual->green_mask, visual->blue_mask};
    unsigned values[3] = {r, g, b};
    unsigned long pixel = 0;
    for (int i = 0; i < 3; i++) {
        unsigned long mask = masks[i];
        int shift = 0, bits = 0;
        while (mask && !(mask & 1)) { mask >>= 1; shift++; }
        while (mask & 1) { mask >>= 1; bits++; }
        pixel |= (unsigned long)((values[i] >> (8 - bits)) & ((1u << bits) - 1)) << shift;
    }
    return pixel;
}

static XFontStruct *load_font(Display *dpy, const char *const *names) {
    for (; *names; names++) {
        XFontStruct *font = XLoadQueryFont(dpy, *names);
        if (font) return font;
    }
    return NULL;
}

static uint32_t rng_state = 0x12345678u;
static uint32_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static const char *const words[] = {
    "GET", "/api/v2/stream", "200", "OK", "kworker", "sched", "ssh", "pixelpass", "frame", "encode",
    "nghttp3", "quic", "ack", "retransmit", "buffer", "render", "commit", "git", "merge", "build",
    "compile", "link", "warning:", "error:", "note:", "swift", "x264", "keyframe", "latency", "jitter",
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "lorem", "ipsum", "dolor", "sit",
};
enum { WORD_COUNT = sizeof(words) / sizeof(words[0]) };

static void make_line(char *out, size_t size, uint32_t serial) {
    int n = snprintf(out, size, "[%8u.%03u] %08x ", serial / 30, serial % 30 * 33, rng());
    while (n < (int)size - 16) {
        n += snprintf(out + n, size - (size_t)n, "%s ", words[rng() % WORD_COUNT]);
        if (rng() % 7 == 0) n += snprintf(out + n, size - (size_t)n, "%u ", rng() % 100000);
    }
    out[size - 1] = 0;
}

typedef struct {
    int x, y, dx, dy, w, h, kind;
    unsigned long pixel;
} Shape;

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: busy-screen WIDTH HEIGHT [FPS]\n");
        return 2;
    }
    const int width = atoi(argv[1]), height = atoi(argv[2]);
    const int fps = argc > 3 ? atoi(argv[3]) : 30;
    if (width < 64 || height < 48 || fps < 1) {
        fprintf(stderr, "busy-screen: bad size or rate\n");
        return 2;
    }
    Display *dpy = XOpenDisplay(NULL);
    if (!dpy) {
        fprintf(stderr, "busy-screen: cannot open display %s\n", getenv("DISPLAY") ? getenv("DISPLAY") : "(unset)");
        return 1;
    }
    int screen = DefaultScreen(dpy);
    Visual *visual = DefaultVisual(dpy, screen);
    int depth = DefaultDepth(dpy, screen);
    if (visual->class != TrueColor || depth < 24) {
        fprintf(stderr, "busy-screen: needs a 24-bit TrueColor screen (Xvfb -screen 0 WxHx24)\n");
        return 1;
    }
    Window root = RootWindow(dpy, screen);
    XSetWindowAttributes attributes = {0};
    attributes.override_redirect = True;
    attributes.background_pixel = BlackPixel(dpy, screen);
    attributes.event_mask = ExposureMask | StructureNotifyMask;
    Window window = XCreateWindow(dpy, root, 0, 0, (unsigned)width, (unsigned)height, 0, depth, InputOutput, visual,
                                  CWOverrideRedirect | CWBackPixel | CWEventMask, &attributes);
    XStoreName(dpy, window, "pixelpass busy screen");
    XMapRaised(dpy, window);
    for (XEvent event;;) {
        XNextEvent(dpy, &event);
        if (event.type == MapNotify) break;
    }
    // The pointer goes to the bottom-right corner: both grabbers draw it.
    XWarpPointer(dpy, None, root, 0, 0, 0, 0, width - 1, height - 1);

    Pixmap back = XCreatePixmap(dpy, window, (unsigned)width, (unsigned)height, (unsigned)depth);
    GC gc = XCreateGC(dpy, back, 0, NULL);
    XSetGraphicsExposures(dpy, gc, False);
    static const char *const big_fonts[] = {"12x24", "10x20", "9x18", "fixed", NULL};
    static const char *const small_fonts[] = {"6x13", "fixed", NULL};
    XFontStruct *big = load_font(dpy, big_fonts), *small = load_font(dpy, small_fonts);
    if (!big || !small) {
        fprintf(stderr, "busy-screen: no X font at all (not even 'fixed')\n");
        return 1;
    }

    const unsigned long white = rgb(visual, 255, 255, 255), black = rgb(visual, 0, 0, 0);
    const unsigned long background = rgb(visual, 30, 32, 40);
    static const unsigned char palette[][3] = {
        {230, 60, 60}, {60, 200, 90}, {70, 120, 240}, {240, 200, 40}, {200, 80, 220},
        {40, 210, 210}, {250, 140, 30}, {150, 150, 150}, {120, 230, 120}, {255, 110, 180},
    };
    enum { PALETTE = sizeof(palette) / sizeof(palette[0]) };
    unsigned long colours[PALETTE];
    for (int i = 0; i < PALETTE; i++) colours[i] = rgb(visual, palette[i][0], palette[i][1], palette[i][2]);

    // Geometry of the code (ClockCode.paint) and of the areas it leaves.
    const int band = height * 3 / 4;
    XRectangle cells[COLUMNS * ROWS];
    for (int row = 0; row < ROWS; row++) {
        int y0 = edge(row, ROWS, band), y1 = edge(row + 1, ROWS, band);
        for (int column = 0; column < COLUMNS; column++) {
            int x0 = edge(column, COLUMNS, width), x1 = edge(column + 1, COLUMNS, width);
            int mx = (x1 - x0) / 8, my = (y1 - y0) / 8;
            cells[row * COLUMNS + column] = (XRectangle){(short)(x0 + mx), (short)(y0 + my),
                                                         (unsigned short)(x1 - x0 - 2 * mx),
                                                         (unsigned short)(y1 - y0 - 2 * my)};
        }
    }

    // The log in the bottom quarter: lines scroll up a few pixels a frame.
    const int line_height = big->ascent + big->descent + 2;
    const int log_lines = (height - band) / line_height + 2;
    const int log_chars = width / (big->max_bounds.width > 0 ? big->max_bounds.width : 8) + 2;
    char **log = calloc((size_t)log_lines, sizeof(char *));
    for (int i = 0; i < log_lines; i++) {
        log[i] = calloc((size_t)log_chars + 1, 1);
        make_line(log[i], (size_t)log_chars + 1, (uint32_t)i);
    }
    int log_first = 0, log_offset = 0;
    uint32_t log_serial = (uint32_t)log_lines;

    // Ticker text in the horizontal gutters between code rows.
    const int ticker_chars = width / 6 + 40;
    char *tickers[ROWS + 1];
    for (int i = 0; i <= ROWS; i++) {
        tickers[i] = calloc((size_t)ticker_chars + 1, 1);
        make_line(tickers[i], (size_t)ticker_chars + 1, (uint32_t)(1000 * i));
    }

    // Shapes moving over everything (the code is painted on top of them).
    enum { SHAPES = 24 };
    Shape shapes[SHAPES];
    for (int i = 0; i < SHAPES; i++) {
        int size = height / 20 + (int)(rng() % (unsigned)(height / 8));
        shapes[i] = (Shape){(int)(rng() % (unsigned)width), (int)(rng() % (unsigned)height),
                            (int)(rng() % 13) - 6 ?: 3, (int)(rng() % 11) - 5 ?: -2, size,
                            size * (2 + (int)(rng() % 4)) / 4, i % 3, colours[i % PALETTE]};
    }

    struct sigaction action = {0};
    action.sa_handler = on_stop;
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    action.sa_handler = on_report;
    sigaction(SIGUSR1, &action, NULL);

    const uint64_t interval = 1000000000ull / (uint64_t)fps;
    uint64_t next = monotonic_ns();
    uint32_t frame = 0;
    uint64_t interval_start = next, paint_total = 0, paint_max = 0;
    unsigned interval_frames = 0, late = 0;
    uint8_t values[COLUMNS * ROWS];
    XRectangle lit[COLUMNS * ROWS], dark[COLUMNS * ROWS];

    while (!stop_requested) {
        uint64_t paint_start = monotonic_ns();

        // 1. Background.
        XSetForeground(dpy, gc, background);
        XFillRectangle(dpy, back, gc, 0, 0, (unsigned)width, (unsigned)height);

        // 2. The log, scrolling up in the bottom quarter.
        log_offset += 3;
        if (log_offset >= line_height) {
            log_offset -= line_height;
            make_line(log[log_first], (size_t)log_chars + 1, log_serial++);
            log_first = (log_first + 1) % log_lines;
        }
        XSetFont(dpy, gc, big->fid);
        for (int i = 0; i < log_lines; i++) {
            const char *line = log[(log_first + i) % log_lines];
            int y = band + big->ascent + i * line_height - log_offset;
            XSetForeground(dpy, gc, colours[(log_serial + (unsigned)i) % PALETTE]);
            XDrawString(dpy, back, gc, 8, y, line, (int)strlen(line));
        }
        // A live status line that changes every frame.
        char status[160];
        int status_length = snprintf(status, sizeof status, " frame %u  t=%.3f s  %08x %08x %08x ", frame,
                                     (double)paint_start / 1e9, rng(), rng(), rng());
        XSetForeground(dpy, gc, white);
        XFillRectangle(dpy, back, gc, width / 3, height - line_height - 4, (unsigned)(status_length * big->max_bounds.width),
                       (unsigned)line_height);
        XSetForeground(dpy, gc, black);
        XDrawString(dpy, back, gc, width / 3, height - big->descent - 6, status, status_length);

        // 3. Tickers in the gutters between code rows, each at its own speed.
        XSetFont(dpy, gc, small->fid);
        for (int row = 0; row <= ROWS; row++) {
            int y = row == ROWS ? band - 2 : edge(row, ROWS, band) + (small->ascent / 2);
            int speed = 2 + row % 4;
            int shift = (int)((frame * (unsigned)speed) % (unsigned)(width / 2));
            if (frame % 15 == (unsigned)row) make_line(tickers[row], (size_t)ticker_chars + 1, frame * 10 + (unsigned)row);
            XSetForeground(dpy, gc, colours[(row * 3) % PALETTE]);
            XDrawString(dpy, back, gc, -shift, y, tickers[row], (int)strlen(tickers[row]));
        }

        // 4. Shapes bouncing over the whole screen.
        for (int i = 0; i < SHAPES; i++) {
            Shape *s = &shapes[i];
            s->x += s->dx;
            s->y += s->dy;
            if (s->x < -s->w / 2 || s->x > width - s->w / 2) s->dx = -s->dx;
            if (s->y < -s->h / 2 || s->y > height - s->h / 2) s->dy = -s->dy;
            XSetForeground(dpy, gc, s->pixel);
            switch (s->kind) {
            case 0: XFillRectangle(dpy, back, gc, s->x, s->y, (unsigned)s->w, (unsigned)s->h); break;
            case 1: XFillArc(dpy, back, gc, s->x, s->y, (unsigned)s->w, (unsigned)s->w, 0, 360 * 64); break;
            default:
                XSetLineAttributes(dpy, gc, 6, LineSolid, CapRound, JoinRound);
                XDrawLine(dpy, back, gc, s->x, s->y, s->x + s->w * 2, s->y + s->h);
                XDrawRectangle(dpy, back, gc, s->x, s->y, (unsigned)s->w, (unsigned)s->h);
                break;
            }
        }

        // 5. The clock code, last, at the time taken right now.
        uint64_t stamp = monotonic_ns();
        cell_values(stamp / 1000, frame, values);
        int lit_count = 0, dark_count = 0;
        for (int i = 0; i < COLUMNS * ROWS; i++) {
            if (values[i]) lit[lit_count++] = cells[i]; else dark[dark_count++] = cells[i];
        }
        XSetForeground(dpy, gc, white);
        XFillRectangles(dpy, back, gc, lit, lit_count);
        XSetForeground(dpy, gc, black);
        XFillRectangles(dpy, back, gc, dark, dark_count);

        // 6. On screen in one request; XSync returns once the server did it.
        XCopyArea(dpy, back, window, gc, 0, 0, (unsigned)width, (unsigned)height, 0, 0);
        XSync(dpy, False);
        // Exposures of an override-redirect window on a bare Xvfb are not expected; drop any.
        while (XPending(dpy)) {
            XEvent event;
            XNextEvent(dpy, &event);
        }

        uint64_t paint_end = monotonic_ns();
        uint64_t paint = paint_end - paint_start;
        paint_total += paint;
        if (paint > paint_max) paint_max = paint;
        interval_frames++;
        frame++;

        if (report_requested) {
            report_requested = 0;
            double seconds = (double)(paint_end - interval_start) / 1e9;
            printf("frames %u seconds %.3f fps %.2f paint_avg_ms %.2f paint_max_ms %.2f late %u\n", interval_frames,
                   seconds, seconds > 0 ? interval_frames / seconds : 0.0,
                   interval_frames ? (double)paint_total / interval_frames / 1e6 : 0.0, (double)paint_max / 1e6, late);
            fflush(stdout);
            interval_start = paint_end;
            interval_frames = 0;
            paint_total = paint_max = 0;
            late = 0;
        }

        next += interval;
        uint64_t now = monotonic_ns();
        if (now > next) {
            // Behind by more than a frame: count it and start again from now.
            late++;
            next = now;
            continue;
        }
        struct timespec until = {(time_t)(next / 1000000000ull), (long)(next % 1000000000ull)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR && !stop_requested) {
        }
    }
    XCloseDisplay(dpy);
    return 0;
}
