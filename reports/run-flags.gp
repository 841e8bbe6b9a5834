# run-flags.gp - the milestones of one run: one row per flag of the model,
# the first set on top, a bar from 0 to the time it was first set, so a
# race between two flags reads as the shorter bar.  Flags never set are
# listed as such.  Drawn by `essim report` from the report folder after
# data/NAME.vars.gp, which sets:
#   data    the data file: block 0 holds the flags that were set ("t row
#           name label", t in the axis unit), block 1 (when n > nset)
#           those never set ("0 row name")
#   out     output name without extension (NAME.png and NAME.svg)
#   n       flags; nset of them were set
#   xmax    end of the time axis; xlabel its label (with the unit)
#   title   the plot title; height the image height in pixels

set title title
set xlabel xlabel
set xrange [0:xmax]
set yrange [n + 0.6:0.4]
set ytics scale 0 nomirror
set grid xtics
set key off
set border 3
set style textbox opaque noborder margins 2,1

nv = n > nset ? sprintf(", data index 1 using (0):2:(\"never set\"):ytic(3) with labels left offset 1,0 tc rgb '#c0392b'") : ""

do for [fmt in "png svg"] {
	if (fmt eq "png") {
		if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
			set terminal pngcairo size 900,height font "sans,10"
		} else {
			set terminal png size 900,height
		}
	} else {
		set terminal svg size 900,height font "sans,10" dynamic
	}
	set termoption noenhanced
	set output out.".".fmt
	plot data index 0 using (0):2:1:(0):ytic(3) with vectors nohead \
	    lw 8 lc rgb '#9ecae1', \
	    data index 0 using 1:2 with points pt 7 ps 1.4 lc rgb '#08519c', \
	    data index 0 using 1:2:4 with labels left offset 1.2,0 boxed \
	    @nv
	unset output
}
