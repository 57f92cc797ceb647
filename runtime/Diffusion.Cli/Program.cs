using Diffusion.Cli;

return await DiffusionCli.InvokeAsync(args, Console.Out, Console.Error);
