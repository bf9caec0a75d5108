# Prints Praat's pitch track of a file: one "time f0" line per frame (f0 0 = unvoiced).
# Usage: praat --run pitch.praat FILE METHOD(ac|cc) FLOOR CEILING
form Pitch
    sentence file
    word method ac
    real floor 75
    real ceiling 600
endform
sound = Read from file: file$
if method$ = "ac"
    pitch = To Pitch (ac): 0, floor, 15, "no", 0.03, 0.45, 0.01, 0.35, 0.14, ceiling
else
    pitch = To Pitch (cc): 0, floor, 15, "no", 0.03, 0.45, 0.01, 0.35, 0.14, ceiling
endif
n = Get number of frames
for i to n
    t = Get time from frame number: i
    f = Get value in frame: i, "Hertz"
    if f = undefined
        f = 0
    endif
    appendInfoLine: fixed$ (t, 6), " ", fixed$ (f, 4)
endfor
