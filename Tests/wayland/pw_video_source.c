/* A synthetic screen-cast producer for the Wayland lab (test fixture).
 *
 * What a compositor's (mutter, wlroots) screen-cast node looks like to a
 * client: a pw_stream, direction OUTPUT, media.class=Video/Source, that
 * drives the graph itself at FPS (a timer triggers each frame), offers one
 * fixed size and framerate in BGRx (also RGBx, xRGB), in shared-memory
 * buffers (MemFd/MemPtr, no DMA-BUF), and serves any number of consumers one
 * after another.
 *
 *   pw_video_source --name NAME [--width W] [--height H] [--fps F]
 *                   [--no-stdin] [--resize-file PATH]
 *
 * Commands on stdin, one a line: "resize W H" re-offers EnumFormat with the
 * new fixed size (pw_stream_update_params), so PipeWire renegotiates the
 * format with the linked consumer on the SAME node, like a compositor when a
 * shared window is resized. SIGUSR1 does the same with "W H" read from
 * --resize-file. EOF on stdin (unless --no-stdin), SIGTERM or SIGINT stop it.
 *
 * stdout, one a line: "READY <node id>" once the stream is PAUSED (or
 * STREAMING) with its node id known; "FORMAT <fmt> W H" on each negotiated
 * format; "RESIZED W H" after a resize, once a frame of the new size was
 * produced (at once when no consumer is streaming).
 *
 * Each frame: a background whose colours scroll with the frame counter, a
 * white vertical bar moving 8 px a frame, and the frame counter as 24 binary
 * blocks along the top (white = 1), so every frame differs from the last.
 *
 * Build: gcc -O2 -o pw_video_source pw_video_source.c \
 *            $(pkg-config --cflags --libs libpipewire-0.3)
 */

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <spa/param/video/format-utils.h>
#include <spa/param/buffers.h>
#include <spa/param/param.h>
#include <spa/pod/builder.h>
#include <spa/buffer/meta.h>
#include <spa/utils/result.h>

#include <pipewire/pipewire.h>

#define BPP 4
#define MAX_BUFFERS 16
#define MAX_SIZE 8192

struct data {
	struct pw_main_loop *loop;
	struct spa_source *timer;
	struct pw_context *context;
	struct pw_core *core;
	struct spa_hook core_listener;
	struct pw_stream *stream;
	struct spa_hook stream_listener;

	const char *name;
	int fps;
	const char *resize_file;

	/* the size offered in EnumFormat (what the next negotiation gets) */
	uint32_t width, height;
	/* the negotiated format */
	struct spa_video_info_raw format;
	int32_t stride;
	int have_format;
	/* buffers of the negotiated size arrived (after a format change the
	 * old, maybe smaller, buffers stay until the new ones are added) */
	int have_buffers;

	/* a resize waiting for its first frame: acknowledged then */
	int resize_pending;
	uint32_t pending_w, pending_h;

	uint64_t counter;
	uint32_t seq;
	int ready_printed;
	int streaming;

	char line[256];
	size_t line_len;
};

static void say(const char *fmt, ...) SPA_PRINTF_FUNC(1, 2);
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static const struct spa_pod *build_enum_format(struct data *d, struct spa_pod_builder *b)
{
	return spa_pod_builder_add_object(b,
		SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat,
		SPA_FORMAT_mediaType,       SPA_POD_Id(SPA_MEDIA_TYPE_video),
		SPA_FORMAT_mediaSubtype,    SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw),
		SPA_FORMAT_VIDEO_format,    SPA_POD_CHOICE_ENUM_Id(4,
						SPA_VIDEO_FORMAT_BGRx,
						SPA_VIDEO_FORMAT_BGRx,
						SPA_VIDEO_FORMAT_RGBx,
						SPA_VIDEO_FORMAT_xRGB),
		SPA_FORMAT_VIDEO_size,      SPA_POD_Rectangle(&SPA_RECTANGLE(d->width, d->height)),
		SPA_FORMAT_VIDEO_framerate, SPA_POD_Fraction(&SPA_FRACTION(d->fps, 1)));
}

/* A pixel of colour (r, g, b) as the 32-bit word the format stores
 * (little-endian memory order). */
static inline uint32_t pack(uint32_t fmt, uint32_t r, uint32_t g, uint32_t b)
{
	switch (fmt) {
	case SPA_VIDEO_FORMAT_RGBx: return r | g << 8 | b << 16 | 0xffu << 24;
	case SPA_VIDEO_FORMAT_xRGB: return 0xffu | r << 8 | g << 16 | b << 24;
	default:                    return b | g << 8 | r << 16 | 0xffu << 24;  /* BGRx */
	}
}

static const char *format_name(uint32_t fmt)
{
	switch (fmt) {
	case SPA_VIDEO_FORMAT_BGRx: return "BGRx";
	case SPA_VIDEO_FORMAT_RGBx: return "RGBx";
	case SPA_VIDEO_FORMAT_xRGB: return "xRGB";
	default:                    return "other";
	}
}

static void draw(struct data *d, uint8_t *p)
{
	uint32_t w = d->format.size.width, h = d->format.size.height, fmt = d->format.format;
	uint64_t n = d->counter;
	uint32_t white = pack(fmt, 255, 255, 255), black = pack(fmt, 0, 0, 0);
	uint32_t bar_x = (uint32_t)((n * 8) % (w ? w : 1)), bar_w = 32;
	uint32_t block = w / 32 > 4 ? w / 32 : 4;

	for (uint32_t y = 0; y < h; y++) {
		uint32_t *row = (uint32_t *)(p + (size_t)y * d->stride);
		uint32_t c = pack(fmt, (y + n * 2) & 0xff, (y * 3 + n) & 0xff, (255 - y - n) & 0xff);
		for (uint32_t x = 0; x < w; x++)
			row[x] = c;
		for (uint32_t x = bar_x; x < bar_x + bar_w && x < w; x++)
			row[x] = white;
		if (y < block) {
			for (uint32_t bit = 0; bit < 24 && (bit + 1) * block <= w; bit++) {
				uint32_t v = (n >> (23 - bit)) & 1 ? white : black;
				for (uint32_t x = bit * block; x < (bit + 1) * block - 1; x++)
					row[x] = v;
			}
		}
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SPA_NSEC_PER_SEC + ts.tv_nsec;
}

static void on_process(void *userdata)
{
	struct data *d = userdata;
	struct pw_buffer *b;
	struct spa_buffer *buf;
	struct spa_meta_header *h;
	uint8_t *p;

	if (!d->have_format || !d->have_buffers)
		return;
	if ((b = pw_stream_dequeue_buffer(d->stream)) == NULL)
		return;  /* the consumer holds them all: drop this frame */
	buf = b->buffer;
	if ((p = buf->datas[0].data) == NULL ||
	    buf->datas[0].maxsize < (uint32_t)d->stride * d->format.size.height) {
		buf->datas[0].chunk->size = 0;
		pw_stream_queue_buffer(d->stream, b);
		return;
	}
	if ((h = spa_buffer_find_meta_data(buf, SPA_META_Header, sizeof(*h)))) {
		h->pts = now_ns();
		h->flags = 0;
		h->seq = d->seq++;
		h->dts_offset = 0;
	}
	draw(d, p);
	d->counter++;

	buf->datas[0].chunk->offset = 0;
	buf->datas[0].chunk->stride = d->stride;
	buf->datas[0].chunk->size = d->stride * d->format.size.height;
	pw_stream_queue_buffer(d->stream, b);

	if (d->resize_pending && d->format.size.width == d->pending_w &&
	    d->format.size.height == d->pending_h) {
		d->resize_pending = 0;
		say("RESIZED %u %u", d->pending_w, d->pending_h);
	}
}

static void set_timer(struct data *d, int on)
{
	struct timespec timeout = {0, 0}, interval = {0, 0};
	if (on) {
		uint64_t period = SPA_NSEC_PER_SEC / (uint64_t)d->fps;
		timeout.tv_nsec = 1;
		interval.tv_sec = period / SPA_NSEC_PER_SEC;
		interval.tv_nsec = period % SPA_NSEC_PER_SEC;
	}
	pw_loop_update_timer(pw_main_loop_get_loop(d->loop), d->timer,
			     on ? &timeout : NULL, on ? &interval : NULL, false);
}

static void on_timeout(void *userdata, uint64_t expirations)
{
	struct data *d = userdata;
	if (d->streaming)
		pw_stream_trigger_process(d->stream);
}

static void on_state_changed(void *userdata, enum pw_stream_state old,
			     enum pw_stream_state state, const char *error)
{
	struct data *d = userdata;

	fprintf(stderr, "pw_video_source: state %s -> %s%s%s\n",
		pw_stream_state_as_string(old), pw_stream_state_as_string(state),
		error ? ": " : "", error ? error : "");
	switch (state) {
	case PW_STREAM_STATE_PAUSED:
	case PW_STREAM_STATE_STREAMING:
		if (!d->ready_printed && pw_stream_get_node_id(d->stream) != SPA_ID_INVALID) {
			d->ready_printed = 1;
			say("READY %u", pw_stream_get_node_id(d->stream));
		}
		d->streaming = state == PW_STREAM_STATE_STREAMING;
		set_timer(d, d->streaming);
		break;
	case PW_STREAM_STATE_ERROR:
	case PW_STREAM_STATE_UNCONNECTED:
		d->streaming = 0;
		set_timer(d, 0);
		pw_main_loop_quit(d->loop);
		break;
	default:
		d->streaming = 0;
		set_timer(d, 0);
		break;
	}
}

static void on_param_changed(void *userdata, uint32_t id, const struct spa_pod *param)
{
	struct data *d = userdata;
	uint8_t buffer[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	const struct spa_pod *params[2];

	if (id != SPA_PARAM_Format)
		return;
	if (param == NULL) {  /* no consumer (any more), or renegotiating */
		d->have_format = 0;
		return;
	}
	if (spa_format_video_raw_parse(param, &d->format) < 0 ||
	    d->format.size.width == 0 || d->format.size.height == 0) {
		pw_stream_set_error(d->stream, -EINVAL, "unusable format");
		return;
	}
	d->stride = SPA_ROUND_UP_N(d->format.size.width * BPP, 4);
	d->have_format = 1;
	d->have_buffers = 0;
	say("FORMAT %s %u %u", format_name(d->format.format),
	    d->format.size.width, d->format.size.height);

	params[0] = spa_pod_builder_add_object(&b,
		SPA_TYPE_OBJECT_ParamBuffers, SPA_PARAM_Buffers,
		SPA_PARAM_BUFFERS_buffers,  SPA_POD_CHOICE_RANGE_Int(8, 2, MAX_BUFFERS),
		SPA_PARAM_BUFFERS_blocks,   SPA_POD_Int(1),
		SPA_PARAM_BUFFERS_size,     SPA_POD_Int(d->stride * d->format.size.height),
		SPA_PARAM_BUFFERS_stride,   SPA_POD_Int(d->stride),
		SPA_PARAM_BUFFERS_dataType, SPA_POD_CHOICE_FLAGS_Int(
						(1 << SPA_DATA_MemFd) | (1 << SPA_DATA_MemPtr)));
	params[1] = spa_pod_builder_add_object(&b,
		SPA_TYPE_OBJECT_ParamMeta, SPA_PARAM_Meta,
		SPA_PARAM_META_type, SPA_POD_Id(SPA_META_Header),
		SPA_PARAM_META_size, SPA_POD_Int(sizeof(struct spa_meta_header)));
	pw_stream_update_params(d->stream, params, 2);
}

static void on_add_buffer(void *userdata, struct pw_buffer *b)
{
	struct data *d = userdata;
	if (d->have_format && b->buffer->n_datas > 0 &&
	    b->buffer->datas[0].maxsize >= (uint32_t)d->stride * d->format.size.height)
		d->have_buffers = 1;
}

static const struct pw_stream_events stream_events = {
	PW_VERSION_STREAM_EVENTS,
	.add_buffer = on_add_buffer,
	.state_changed = on_state_changed,
	.param_changed = on_param_changed,
	.process = on_process,
};

static void resize(struct data *d, long w, long h)
{
	uint8_t buffer[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	const struct spa_pod *params[1];

	if (w < 1 || h < 1 || w > MAX_SIZE || h > MAX_SIZE) {
		fprintf(stderr, "pw_video_source: bad size %ldx%ld\n", w, h);
		return;
	}
	d->width = w;
	d->height = h;
	params[0] = build_enum_format(d, &b);
	pw_stream_update_params(d->stream, params, 1);
	if (d->streaming && !(d->have_format && d->format.size.width == w && d->format.size.height == h)) {
		d->resize_pending = 1;
		d->pending_w = w;
		d->pending_h = h;
	} else {
		d->resize_pending = 0;
		say("RESIZED %ld %ld", w, h);
	}
}

static void command(struct data *d, char *line)
{
	long w, h;
	char verb[16];
	if (sscanf(line, "%15s %ld %ld", verb, &w, &h) == 3 && strcmp(verb, "resize") == 0)
		resize(d, w, h);
	else if (line[0])
		fprintf(stderr, "pw_video_source: unknown command: %s\n", line);
}

static void on_stdin(void *userdata, int fd, uint32_t mask)
{
	struct data *d = userdata;
	char chunk[256];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {  /* EOF: whoever started us is gone */
		pw_main_loop_quit(d->loop);
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (chunk[i] == '\n') {
			d->line[d->line_len] = '\0';
			command(d, d->line);
			d->line_len = 0;
		} else if (d->line_len < sizeof(d->line) - 1) {
			d->line[d->line_len++] = chunk[i];
		}
	}
}

static void on_quit_signal(void *userdata, int signal_number)
{
	struct data *d = userdata;
	pw_main_loop_quit(d->loop);
}

static void on_usr1(void *userdata, int signal_number)
{
	struct data *d = userdata;
	long w, h;
	FILE *f;
	if (d->resize_file == NULL || (f = fopen(d->resize_file, "r")) == NULL) {
		fprintf(stderr, "pw_video_source: SIGUSR1 without a readable --resize-file\n");
		return;
	}
	if (fscanf(f, "%ld %ld", &w, &h) == 2)
		resize(d, w, h);
	fclose(f);
}

static void on_core_error(void *userdata, uint32_t id, int seq, int res, const char *message)
{
	struct data *d = userdata;
	fprintf(stderr, "pw_video_source: error id:%u seq:%d res:%d (%s): %s\n",
		id, seq, res, spa_strerror(res), message);
	if (id == PW_ID_CORE && res == -EPIPE)
		pw_main_loop_quit(d->loop);
}

static const struct pw_core_events core_events = {
	PW_VERSION_CORE_EVENTS,
	.error = on_core_error,
};

static void usage(void)
{
	fprintf(stderr, "usage: pw_video_source --name NAME [--width W] [--height H] [--fps F] "
			"[--no-stdin] [--resize-file PATH]\n");
	exit(2);
}

int main(int argc, char *argv[])
{
	struct data d = { .width = 1280, .height = 720, .fps = 30 };
	int use_stdin = 1;
	uint8_t buffer[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	const struct spa_pod *params[1];
	struct pw_loop *loop;
	int res;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--no-stdin") == 0) { use_stdin = 0; continue; }
		if (v == NULL) usage();
		if (strcmp(a, "--name") == 0) d.name = v;
		else if (strcmp(a, "--width") == 0) d.width = atoi(v);
		else if (strcmp(a, "--height") == 0) d.height = atoi(v);
		else if (strcmp(a, "--fps") == 0) d.fps = atoi(v);
		else if (strcmp(a, "--resize-file") == 0) d.resize_file = v;
		else usage();
		i++;
	}
	if (d.name == NULL || d.width < 1 || d.height < 1 || d.width > MAX_SIZE ||
	    d.height > MAX_SIZE || d.fps < 1 || d.fps > 1000)
		usage();

	pw_init(&argc, &argv);
	d.loop = pw_main_loop_new(NULL);
	loop = pw_main_loop_get_loop(d.loop);
	pw_loop_add_signal(loop, SIGINT, on_quit_signal, &d);
	pw_loop_add_signal(loop, SIGTERM, on_quit_signal, &d);
	pw_loop_add_signal(loop, SIGUSR1, on_usr1, &d);
	signal(SIGPIPE, SIG_IGN);
	if (use_stdin) {
		fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
		pw_loop_add_io(loop, 0, SPA_IO_IN | SPA_IO_HUP | SPA_IO_ERR, false, on_stdin, &d);
	}
	d.timer = pw_loop_add_timer(loop, on_timeout, &d);

	d.context = pw_context_new(loop, NULL, 0);
	d.core = pw_context_connect(d.context, NULL, 0);
	if (d.core == NULL) {
		fprintf(stderr, "pw_video_source: cannot connect to PipeWire: %m\n");
		return 1;
	}
	pw_core_add_listener(d.core, &d.core_listener, &core_events, &d);

	d.stream = pw_stream_new(d.core, d.name,
		pw_properties_new(
			PW_KEY_MEDIA_CLASS, "Video/Source",
			PW_KEY_MEDIA_TYPE, "Video",
			PW_KEY_MEDIA_CATEGORY, "Capture",
			PW_KEY_MEDIA_ROLE, "Screen",
			PW_KEY_NODE_NAME, d.name,
			PW_KEY_NODE_DESCRIPTION, d.name,
			NULL));
	pw_stream_add_listener(d.stream, &d.stream_listener, &stream_events, &d);

	params[0] = build_enum_format(&d, &b);
	res = pw_stream_connect(d.stream, PW_DIRECTION_OUTPUT, PW_ID_ANY,
				PW_STREAM_FLAG_DRIVER | PW_STREAM_FLAG_MAP_BUFFERS, params, 1);
	if (res < 0) {
		fprintf(stderr, "pw_video_source: cannot connect the stream: %s\n", spa_strerror(res));
		return 1;
	}

	pw_main_loop_run(d.loop);

	set_timer(&d, 0);
	pw_stream_destroy(d.stream);
	pw_core_disconnect(d.core);
	pw_context_destroy(d.context);
	pw_main_loop_destroy(d.loop);
	pw_deinit();
	return 0;
}
