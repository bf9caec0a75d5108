import CandorCLI

await CandorCommand.main()
