import LifeboatCLI

await LifeboatMain.run()
