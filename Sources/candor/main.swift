import CandorCLI

await CandorCommand.runMain()
