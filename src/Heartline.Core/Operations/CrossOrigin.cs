using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Operations;

/// <summary>
/// Pages served from other origins that use the server: an Android WebView's app page (e.g.
/// <c>https://appassets.androidplatform.net</c> of WebViewAssetLoader) loading <c>/sdk/voip.js</c> and calling
/// <c>/api/voip</c>, a site embedding the webinar module. <c>Http:AllowedOrigins</c> (default: none, same origin only).
/// Requests carry bearer tokens, never cookies, so credentials are not allowed.
/// </summary>
internal sealed class CrossOriginOptions
{
    public const string Section = "Http";

    /// <summary>Origins (<c>scheme://host[:port]</c>) allowed to read the API and the SDK scripts. Default: none.</summary>
    public List<string> AllowedOrigins { get; set; } = [];
}

internal sealed class CrossOriginOptionsValidator : IValidateOptions<CrossOriginOptions>
{
    public ValidateOptionsResult Validate(string? name, CrossOriginOptions options)
    {
        var bad = options.AllowedOrigins.Where(o => !IsOrigin(o)).ToList();
        return bad.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Http:AllowedOrigins: {string.Join(", ", bad)} is not an origin (scheme://host[:port], no path).");
    }

    private static bool IsOrigin(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
        && uri.AbsolutePath == "/" && !value.EndsWith('/') && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment);
}

internal static class CrossOrigin
{
    public static IServiceCollection AddCrossOrigin(this IServiceCollection services)
    {
        services.AddOptions<CrossOriginOptions>().BindConfiguration(CrossOriginOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CrossOriginOptions>, CrossOriginOptionsValidator>();
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<CrossOriginOptions>>((cors, origins) =>
            cors.AddDefaultPolicy(policy => policy.WithOrigins([.. origins.Value.AllowedOrigins]).AllowAnyHeader().AllowAnyMethod()
                .WithExposedHeaders("Retry-After")));
        return services;
    }
}
