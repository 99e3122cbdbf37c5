using Heartline.Core.Accounts;
using Heartline.Core.Modules;
using Heartline.Core.Operations;
using Heartline.Ptt;
using Heartline.Qna;
using Heartline.Voip;
using Heartline.Webinar;

// `admin create …` makes an account (the first administrator) in the configured database and exits.
if (AccountsCommandLine.Handles(args))
    return await AccountsCommandLine.RunAsync(args, a => HeartlineHost.Build(a), Console.In, Console.Out, Console.Error);

var app = HeartlineHost.Build(args);
// A setting out of range is the operator's to fix: one line each, no stack trace, and a non-zero exit.
if (!ConfigurationErrors.Validate(app.Services, app.Configuration, Console.Error)) return 2;
await app.RunAsync();
return 0;

/// <summary>The host: the Heartline core and the modules it serves. Tests and benchmarks build the same application.</summary>
public static class HeartlineHost
{
    /// <param name="configure">Changes to the builder after the modules were added (tests replace services).</param>
    /// <param name="modules">More modules to compose (tests add a sample one).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null,
        Action<HeartlineBuilder>? modules = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // appsettings.json and wwwroot sit next to the binaries, so the working directory doesn't matter (it only
            // anchors the default ./data/ database folder).
            ContentRootPath = AppContext.BaseDirectory,
        });
        var heartline = builder.AddHeartline().AddPtt().AddWebinar().AddVoip().AddQna();
        modules?.Invoke(heartline);
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapHeartline();
        return app;
    }
}
