import LifeboatCLI

await LifeboatCommand.main()
