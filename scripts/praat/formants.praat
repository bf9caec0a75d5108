# Praat's reference for Candor's formant tracker (Tests/CandorFeaturesTests/FormantPraatTests.swift).
# To Formant (burg) with the given settings; prints one line per frame:
# time F1 F2 F3 B1 B2 B3 intensity_dB voiced (Hz; 0 when the frame has no such formant;
# voiced 1 when To Pitch (ac) with its standard settings finds F0 at the frame's time).
form Formants
    sentence file
    positive ceiling 5500
    positive max_formants 5
    positive window 0.025
endform
sound = Read from file: file$
intensity = To Intensity: 100, 0, "yes"
selectObject: sound
pitch = To Pitch: 0, 75, 600
selectObject: sound
formant = To Formant (burg): 0, max_formants, ceiling, window, 50
n = Get number of frames
for i to n
    selectObject: formant
    t = Get time from frame number: i
    line$ = fixed$ (t, 6)
    for k to 3
        f = Get value at time: k, t, "hertz", "linear"
        if f = undefined
            f = 0
        endif
        line$ = line$ + " " + fixed$ (f, 3)
    endfor
    for k to 3
        b = Get bandwidth at time: k, t, "hertz", "linear"
        if b = undefined
            b = 0
        endif
        line$ = line$ + " " + fixed$ (b, 3)
    endfor
    selectObject: intensity
    db = Get value at time: t, "cubic"
    if db = undefined
        db = -300
    endif
    selectObject: pitch
    f0 = Get value at time: t, "Hertz", "linear"
    voiced = 1
    if f0 = undefined
        voiced = 0
    endif
    appendInfoLine: line$, " ", fixed$ (db, 3), " ", voiced
endfor
