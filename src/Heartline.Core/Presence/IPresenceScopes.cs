using Heartline.Core.Auth;
using Heartline.Core.Channels;

namespace Heartline.Core.Presence;

/// <summary>
/// A module's presence scopes: the groups a connection is announced in (push-to-talk: the office; a Q&amp;A app: a
/// region or a room; VoIP: the tenant), and who may watch each. A scope is a channel path (its users' transitions are
/// published on <c>presence:{scope}</c>); modules keep theirs apart by their shape (a prefix of their own).
/// </summary>
public interface IPresenceScopes
{
    /// <summary>Adds the scopes <paramref name="principal"/>'s connections are announced in.</summary>
    void AddScopes(Principal principal, ICollection<string> scopes);

    /// <summary>Whether <paramref name="principal"/> may see who is in <paramref name="scope"/>; null when the scope is not this module's.</summary>
    bool? CanObserve(Principal principal, string scope);
}

/// <summary>Every module's scopes together.</summary>
internal sealed class PresenceScopes(IEnumerable<IPresenceScopes> modules, IServiceProvider services)
{
    private readonly IPresenceScopes[] _modules = [.. modules];

    // Resolved on first use: the presence: channel policy needs this class, so the channel policies can't be injected.
    private ChannelAccess? _channels;

    /// <summary>The scopes of a new connection, each once, in the modules' order.</summary>
    public string[] Of(Principal principal)
    {
        var scopes = new List<string>(2);
        foreach (var module in _modules) module.AddScopes(principal, scopes);
        for (var i = scopes.Count - 1; i >= 0; i--)
        {
            // A scope becomes a channel path and a database key: one a module got wrong is left out, not trusted.
            // A colon is kept for the presence of channels (ns:path), which no module's scope may pose as.
            if (!ChannelName.IsPath(scopes[i]) || scopes[i].Contains(':', StringComparison.Ordinal) || scopes.IndexOf(scopes[i]) != i)
                scopes.RemoveAt(i);
        }
        return [.. scopes];
    }

    /// <summary>
    /// Administrators watch every scope; a channel's presence (<c>ns:path</c>) those who may subscribe to it; otherwise
    /// the module that owns the scope decides, and unknown scopes are refused.
    /// </summary>
    public bool CanObserve(Principal principal, string scope)
    {
        if (principal.IsAdministrator) return true;
        if (scope.Contains(':', StringComparison.Ordinal))
        {
            // A channel's presence: whoever may subscribe to a channel that keeps it.
            _channels ??= services.GetRequiredService<ChannelAccess>();
            return _channels.Find(scope, out var path) is { } policy && policy.HasPresence(path) && policy.CanSubscribe(principal, path) is null;
        }
        foreach (var module in _modules)
        {
            if (module.CanObserve(principal, scope) is { } allowed) return allowed;
        }
        return false;
    }
}
