# run-cdf.gp - latency CDFs of one run: one curve per client or per event
# type, on a log time axis.  Drawn by `essim report` from the report
# folder after data/NAME.vars.gp, which sets:
#   data    the data file: one block per curve ("ms fraction" rows),
#           blocks separated by two blank lines
#   out     output name without extension (NAME.png and NAME.svg)
#   n       number of curves; titles[1..n] their names
#   title   the plot title

set title title
set xlabel 'latency (ms, log scale)'
set ylabel 'fraction of requests at or below'
set logscale x
set format x '%g'
set yrange [0:1.02]
set grid xtics ytics mxtics
set key top left box opaque noenhanced width 2 spacing 1.3
set style data steps

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
	plot for [i=1:n] data index (i-1) using 1:2 lw 2 title titles[i]
	unset output
}
