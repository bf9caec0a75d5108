# Reads a TextGrid and prints one line per tier (tab-separated), for Candor's tests:
#   tier <index> <name> <interval|point> <count> <labelled>
# then, for every labelled interval of tiers named "segments*" or "flagged":
#   label <tier name> <xmin> <xmax> <text>
# and for the first point of each point tier:
#   point <tier name> <time> <mark>
# Usage: praat --run read_textgrid.praat FILE.TextGrid
form Read TextGrid
    sentence Path
endform
tg = Read from file: path$
n = Get number of tiers
xmax = Get end time
writeInfoLine: "tiers", tab$, n, tab$, fixed$ (xmax, 6)
for i to n
    selectObject: tg
    name$ = Get tier name: i
    isInterval = Is interval tier: i
    if isInterval
        count = Get number of intervals: i
        filled = 0
        for j to count
            label$ = Get label of interval: i, j
            if label$ <> ""
                filled = filled + 1
                if startsWith (name$, "segments") or name$ = "flagged"
                    t1 = Get start time of interval: i, j
                    t2 = Get end time of interval: i, j
                    appendInfoLine: "label", tab$, name$, tab$, fixed$ (t1, 6), tab$, fixed$ (t2, 6), tab$, label$
                endif
            endif
        endfor
        appendInfoLine: "tier", tab$, i, tab$, name$, tab$, "interval", tab$, count, tab$, filled
    else
        count = Get number of points: i
        appendInfoLine: "tier", tab$, i, tab$, name$, tab$, "point", tab$, count, tab$, count
        if count > 0
            t = Get time of point: i, 1
            mark$ = Get label of point: i, 1
            appendInfoLine: "point", tab$, name$, tab$, fixed$ (t, 6), tab$, mark$
        endif
    endif
endfor
