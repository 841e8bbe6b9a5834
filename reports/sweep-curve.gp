# sweep-curve.gp - a capacity curve: one metric of a sweep against the
# swept parameter, one line per variant (a combination of the other
# parameters), through the mean over seeds with min..max error bars.
# Drawn by `essim report` from the report folder after
# data/NAME.vars.gp, which sets:
#   data, out, n, titles[1..n], title   as in run-cdf.gp; data rows are
#           "x mean min max label"
#   xlabel, ylabel  axis labels
#   xcat    1: x is a category (the row's index; label on the tic)
#   xlog    1: a log x axis (the parameter was a log range)
#   ylog    1: a log y axis (latencies spanning decades; optional)
#   keytop  1: the key above the plot, not in its top left corner
#           (curves that may run anywhere, such as percentages; optional)
#   ymax    the top of a linear y axis from 0 (a percentage: 100), with a
#           little room either side so that 0 and ymax show (optional;
#           else the axis fits the data)

set title title
set xlabel xlabel
set ylabel ylabel
set grid
set key top left box opaque noenhanced width 2 spacing 1.3
set offsets graph 0.02, graph 0.02, graph 0.05, 0
if (exists("keytop") && keytop) {
	set key tmargin center horizontal box noenhanced width 2
}
if (xlog) {
	set logscale x
}
if (exists("ylog") && ylog) {
	set logscale y
	set format y '%g'
	set grid mytics
	set yrange [*:*]
	set autoscale yfix
	set offsets graph 0.02, graph 0.02, graph 0.05, graph 0.05
} else {
	if (exists("ymax")) {
		set yrange [-0.02 * ymax:1.02 * ymax]
	} else {
		set yrange [0:*]
	}
}

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
	if (xcat) {
		plot for [i=1:n] data index (i-1) using 1:2:3:4:xtic(5) \
		    with yerrorlines lw 1.5 pt 7 ps 0.7 title titles[i]
	} else {
		plot for [i=1:n] data index (i-1) using 1:2:3:4 \
		    with yerrorlines lw 1.5 pt 7 ps 0.7 title titles[i]
	}
	unset output
}
