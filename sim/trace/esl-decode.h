/*
 * esl-decode.h - turning one parsed eslogger object into a struct
 * esl_event.  Private to the eslogger reader (eslogger.c) and its tests;
 * the public interface is eslogger.h.
 */
#ifndef ESSIM_TRACE_ESL_DECODE_H
#define ESSIM_TRACE_ESL_DECODE_H

#include <jansson.h>

#include "core/err.h"
#include "trace/eslogger.h"

/*
 * Room for the paths a decoder has to build (lookup's source_dir +
 * relative_target, create's dir + filename): one buffer per path slot of
 * struct esl_event, grown as needed and reused from event to event.
 */
struct esl__scratch {
	char	*buf[2];
	size_t	 alloc[2];
};

void	esl__scratch_release(struct esl__scratch *s);

/*
 * Decode obj (a JSON object) into *ev.  Strings in *ev are borrowed from
 * obj and s.  Returns 1 for an event, 0 for a valid object of an event
 * type essim does not know (the envelope, including global_seq_num, is
 * still filled in), -1 with e set (text and JSON pointer, no file or
 * line: the caller knows those).
 */
int	esl__decode(json_t *obj, struct esl_event *ev, struct esl__scratch *s,
	    struct err *e);

#endif /* ESSIM_TRACE_ESL_DECODE_H */
