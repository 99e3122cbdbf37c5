using Heartline.Core.Protocol;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Heartline.Core.Auth;

/// <summary>Authorization policies modules put on their endpoints.</summary>
public static class HeartlinePolicies
{
    /// <summary>Administrators only: a principal with <see cref="CorePermissions.Administer"/>.</summary>
    public const string Administrator = "admin";
}

internal static class AuthServiceCollectionExtensions
{
    public const string AdminPolicy = HeartlinePolicies.Administrator;

    /// <summary>
    /// Token settings (validated at startup), the issuer and validator, and HTTP <c>Bearer</c> authentication by
    /// JwtBearer with the same validation parameters as WebSocket <c>connect</c>. 401 and 403 answers are problem
    /// documents with a catalog <c>code</c>, like every other error of the API.
    /// </summary>
    public static IServiceCollection AddHeartlineAuth(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>());
        services.TryAddSingleton<TokenParameters>();
        services.TryAddSingleton<TokenIssuer>();
        services.TryAddSingleton<ITokenIssuer>(sp => sp.GetRequiredService<TokenIssuer>());
        services.TryAddSingleton<ExternalIssuer>();
        services.TryAddSingleton<TokenValidator>();
        services.TryAddSingleton<ISecretKeys, SecretKeys>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<TokenParameters, TokenValidator, TimeProvider>(ConfigureBearer);
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, policy => policy.RequireAssertion(
                context => context.Resource is HttpContext http && http.FindPrincipal()?.IsAdministrator == true));
        return services;
    }

    private static void ConfigureBearer(JwtBearerOptions options, TokenParameters parameters, TokenValidator validator, TimeProvider time)
    {
        options.MapInboundClaims = false;
        options.TimeProvider = time;
        options.TokenValidationParameters = parameters.Validation;
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(new JsonWebTokenHandler { MapInboundClaims = false, MaximumTokenSizeInBytes = TokenValidator.MaxTokenLength });
        options.Events = new JwtBearerEvents
        {
            // A token of the outside identity provider is validated and mapped like at connect (Auth:External); the
            // server's own tokens go through JwtBearer's validation below.
            OnMessageReceived = async context =>
            {
                var header = context.Request.Headers.Authorization.ToString();
                if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return;
                var token = header["Bearer ".Length..].Trim();
                var external = context.HttpContext.RequestServices.GetRequiredService<ExternalIssuer>();
                if (!external.Issued(token)) return;
                var validation = await validator.ValidateAsync(token).ConfigureAwait(false);
                if (validation.Principal is not { } principal)
                {
                    context.Fail(validation.Error == ErrorCodes.TokenExpired
                        ? new SecurityTokenExpiredException("token expired")
                        : new SecurityTokenValidationException(validation.Detail ?? "invalid token"));
                    return;
                }
                context.HttpContext.Items[typeof(Principal)] = principal;
                context.Principal = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
                    [new System.Security.Claims.Claim("sub", principal.SubjectId)], "external", "sub", "role"));
                context.Success();
            },
            // The signature and lifetime are valid: the roles and claims must be declared ones, as for connect.
            OnTokenValidated = context =>
            {
                // An account's token also stops at once when the account is deactivated or its roles or groups change.
                if (!validator.FromClaims(context.Principal!.Claims, context.SecurityToken.ValidTo, out var principal, out var problem))
                    context.Fail(problem!);
                else if (context.HttpContext.RequestServices.GetService<Accounts.AccountDirectory>()?.Refusal(principal!) is { } refused)
                    context.Fail(refused);
                else
                    context.HttpContext.Items[typeof(Principal)] = principal;
                return Task.CompletedTask;
            },
            // RFC 6750 §3: no error attribute when no bearer token was sent, invalid_token when one did not validate. An
            // expired token keeps the WebSocket's token_expired code, so a client renews its token instead of signing in.
            OnChallenge = async context =>
            {
                context.HandleResponse();
                var failure = context.AuthenticateFailure;
                var expired = failure is SecurityTokenExpiredException;
                context.Response.Headers.WWWAuthenticate = failure is null ? JwtBearerDefaults.AuthenticationScheme
                    : $"{JwtBearerDefaults.AuthenticationScheme} error=\"invalid_token\", error_description=\"{(expired ? "token expired" : "invalid token")}\"";
                var problem = failure is null
                    ? HttpProblems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "bearer token required")
                    : expired
                        ? HttpProblems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.TokenExpired, "token expired")
                        : HttpProblems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "invalid token");
                await problem.ExecuteAsync(context.HttpContext).ConfigureAwait(false);
            },
            // The token is valid but its roles do not meet the endpoint's policy (the admin endpoints).
            OnForbidden = context => HttpProblems.Forbidden("not allowed for this principal's roles").ExecuteAsync(context.HttpContext),
        };
    }
}

/// <summary>The principal of an authenticated HTTP request.</summary>
public static class HttpContextPrincipalExtensions
{
    /// <summary>The request's principal; throws when the endpoint did not require authorization.</summary>
    public static Principal GetPrincipal(this HttpContext context) =>
        context.FindPrincipal() ?? throw new InvalidOperationException("The request is not authenticated (the endpoint must require authorization).");

    /// <summary>The request's principal, or null when it carried no valid bearer token.</summary>
    public static Principal? FindPrincipal(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(typeof(Principal), out var principal) ? principal as Principal : null;
    }
}
