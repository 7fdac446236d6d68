import GovFwdCore

GovFwdMain.run(CommandLine.arguments)
