namespace Heartline.Ptt.Agora;

/// <summary>
/// Agora RTC settings, bound from the <c>Ptt:Agora</c> configuration section. The app id and certificate come from
/// configuration or the environment (e.g. <c>Ptt__Agora__AppCertificate</c>), never from code.
/// </summary>
internal sealed class AgoraOptions
{
    /// <summary>Configuration section these options bind to.</summary>
    public const string SectionName = "Ptt:Agora";

    /// <summary>The Agora project's App ID, 32 hex characters. Default: empty, meaning Agora is not configured.</summary>
    public string AppId { get; set; } = "";

    /// <summary>The Agora project's primary App Certificate, 32 hex characters; a secret. Default: empty.</summary>
    public string AppCertificate { get; set; } = "";

    /// <summary>Lifetime of issued tokens and of their privileges, in seconds (60 to 86400). Default: 3600 (1 hour).</summary>
    public int TokenExpireSeconds { get; set; } = 3600;
}
