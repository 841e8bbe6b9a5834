/*
 * ex-int.h - a parsed expect block, shared by expect.c (parsing) and
 * ex-check.c (measuring and checking); private to them.
 */
#ifndef ESSIM_ANALYSIS_EX_INT_H
#define ESSIM_ANALYSIS_EX_INT_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/expect.h"

#define EX_MAX_SEEDS	100000
#define EX_DEF_SEEDS	100

enum xm {
	XM_DEADLOCKS, XM_POTENTIAL, XM_STATIC, XM_EXPLOSIONS, XM_KILLS,
	XM_MISSES, XM_RESTARTS, XM_PEAK, XM_LATENCY, XM_RESPONSE, XM_QWAIT,
	XM_HEADROOM
};
enum ent { E_NONE, E_CLIENT, E_PROC, E_TYPE };
enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_RANGE };
enum it { IT_PLAIN, IT_ORDER, IT_PROB };

struct keydef {
	const char	*name;
	enum xm		 kind;
	enum ent	 ent;		/* what KEY.NAME or {"NAME": ...} names */
	int		 dur;		/* compared as a duration */
	int		 stat;		/* KEY.NAME.STAT */
};


struct metric {
	const struct keydef *k;
	int		 who;		/* client, process, type value; -1 all */
	int		 type;		/* headroom of one type, -1 all */
	double		 q;		/* quantile; 1 max, 0 min */
};

struct cmp {
	enum op		 op;
	double		 v, hi;
};

struct item {
	enum it		 kind;
	char		*label;
	struct metric	 m;
	struct cmp	 c;		/* PLAIN: the measure; else the fraction */
	struct cmp	 of;		/* PROB: the condition of one seed */
	int		 flag_a, flag_b;	/* ORDER */
	uint64_t	 seeds;
};

struct ex_set {
	const struct model	*m;
	struct item		*v;
	size_t			 n, a;
	int			 static_cycles;	/* -1: not computed */
};

/* ex-check.c */
int	ex__cmp_holds(const struct cmp *c, double x);

#endif /* ESSIM_ANALYSIS_EX_INT_H */
