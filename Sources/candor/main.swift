import CCandorStartup
import CandorCLI

// glibc malloc is limited to one arena by a constructor in CCandorStartup (flat memory on
// long recordings); referencing it keeps that object linked.
_ = candor_malloc_arenas_limited()
await CandorCommand.runMain()
