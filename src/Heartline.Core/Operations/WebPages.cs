using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace Heartline.Core.Operations;

/// <summary>
/// The browser apps (wwwroot) and the headers every response carries. The pages keep bearer tokens in localStorage,
/// so a content security policy that allows scripts from this origin only (no inline script, no eval) is their
/// backstop against injected script; the push-to-talk console must not be framed (a press-and-hold could be
/// clickjacked); the microphone, camera (VoIP calls) and location (Q&amp;A) are for this origin only. Pages, scripts and styles are revalidated on every load
/// (ETag), so a deploy never mixes an old SDK with a new page. Scripts come from this origin only; WebAssembly may be
/// compiled ('wasm-unsafe-eval', which allows no JavaScript eval) for the Opus decoder of browsers without WebCodecs.
/// </summary>
internal static class WebPages
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "media-src 'self' blob:; worker-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; " +
        "object-src 'none'";

    private static readonly string[] Revalidated = [".html", ".js", ".mjs", ".css", ".webmanifest", ".json"];

    public static WebApplication UseWebPages(this WebApplication app)
    {
        app.Use(static (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers["Referrer-Policy"] = "no-referrer";
            headers["Permissions-Policy"] = "microphone=(self), camera=(self), geolocation=(self)";
            return next(context);
        });
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = static file =>
            {
                if (Revalidated.Contains(Path.GetExtension(file.File.Name), StringComparer.OrdinalIgnoreCase))
                    file.Context.Response.Headers.CacheControl = "no-cache";
            },
        });
        return app;
    }
}
