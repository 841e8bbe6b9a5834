# run-series.gp - a gauge of one run over virtual time (pool threads per
# process, delivery-queue depth per client), one line per subject, with
# the GCD limits drawn and kills and deadlocks marked on the time axis.
# Drawn by `essim report` from the report folder after
# data/NAME.vars.gp, which sets:
#   data, out, n, titles[1..n], title, ylabel   as in run-cdf.gp; data
#           rows are "t_s value peak" and the peak is drawn
#   cap     the constrained pool cap (0: none drawn)
#   maxcap  the absolute cap (0: none); drawn when within ymax
#   ymax    top of the y axis; xmax the end of the run (s)
#   nkills, ndeadlocks  markers in data/kills.dat ("t_s client") and
#           data/deadlocks.dat ("t_closed_s t_broken_s")

set title title
set xlabel 'virtual time (s)'
set ylabel ylabel
set xrange [0:xmax]
set yrange [0:ymax]
set grid
set key below noenhanced height 1.5
# Labels on the plot get a white box, readable over the curves.
set style textbox opaque noborder margins 2,1
if (cap > 0) {
	set arrow 1 from graph 0, first cap to graph 1, first cap nohead \
	    dt 2 lw 2 lc rgb '#e67e22' front
	set label 1 sprintf('constrained pool cap %d', cap) \
	    at graph 0.99, first cap right offset 0,-0.8 tc rgb '#e67e22' \
	    boxed front
}
if (maxcap > 0 && maxcap <= ymax) {
	set arrow 2 from graph 0, first maxcap to graph 1, first maxcap nohead \
	    dt 2 lw 2 lc rgb '#c0392b' front
	set label 2 sprintf('absolute cap %d', maxcap) \
	    at graph 0.99, first maxcap right offset 0,-0.8 tc rgb '#c0392b' \
	    boxed front
}
if (maxcap > 0 && maxcap > ymax) {
	set label 2 sprintf('absolute cap %d: above the plot', maxcap) \
	    at graph 1, graph 1 right offset 0,0.8 tc rgb '#c0392b' front
}
kc = nkills > 0 ? sprintf(", 'data/kills.dat' using 1:(ymax) with impulses lw 1.5 lc rgb '#d62728' title 'client killed (%d)'", nkills) : ""
dc = ndeadlocks > 0 ? sprintf(", 'data/deadlocks.dat' using 1:(ymax*0.985):($2-$1):(0) with vectors nohead lw 5 lc rgb '#505050' title 'deadlock, closed to broken (%d)'", ndeadlocks) : ""

do for [fmt in "png svg"] {
	if (fmt eq "png") {
		if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
			set terminal pngcairo size 900,540 font "sans,10"
		} else {
			set terminal png size 900,540
		}
	} else {
		set terminal svg size 900,540 font "sans,10" dynamic
	}
	set termoption noenhanced
	set output out.".".fmt
	plot for [i=1:n] data index (i-1) using 1:3 with steps lw 1.5 \
	    title titles[i] @kc @dc
	unset output
}
