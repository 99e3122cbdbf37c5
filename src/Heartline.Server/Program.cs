using Heartline.Server;

HeartlineApp.Build(args).Run();
