using System.Text.Json.Serialization;
using Dapper;
using Heartline.Core.Auth;
using Heartline.Core.Channels;
using Heartline.Core.Connections;
using Heartline.Core.Modules;
using Heartline.Core.Presence;
using Heartline.Core.Protocol;
using Heartline.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Heartline.SampleModule;

/// <summary>
/// A small module written against the core's public module API only (this test assembly sees nothing else of the core
/// that a module may use): a command, a channel namespace with its policy, a role, an error code, a migration, a
/// presence scope, a disconnect action, a binary frame kind and an HTTP endpoint. Notes that a note taker adds are
/// stored and published on <c>notes:{user}</c>.
/// </summary>
public static class NotesModule
{
    public const string Name = "notes";
    public const string Role = "note_taker";
    public const string Write = "notes.write";
    public const string Room = "notes/room";
    public const byte FrameKind = 0x07;

    public static readonly ErrorCode NoteTooLong = new("note_too_long", ClientAdvice.DoNotRetry);

    public static HeartlineBuilder AddNotes(this HeartlineBuilder builder)
    {
        builder.AddModule(Name)
            .AddRoles(new RoleDefinition(Role, "Writes notes.", Write))
            .AddErrorCodes(NoteTooLong)
            .AddMigrations(new Migration(1, "notes and goodbyes",
                "CREATE TABLE sample_notes (user_id text NOT NULL, body text NOT NULL); CREATE TABLE sample_goodbyes (user_id text NOT NULL, reason text NOT NULL);",
                "CREATE TABLE sample_notes (user_id text NOT NULL, body text NOT NULL); CREATE TABLE sample_goodbyes (user_id text NOT NULL, reason text NOT NULL);"))
            .AddCommand<AddNoteCommand>()
            .AddChannelPolicy<NotesPolicy>()
            .AddPresenceScopes<NotesScopes>()
            .AddConnectionObserver<RegistersGoodbye>()
            .AddDisconnectAction<Goodbye>()
            .AddBinaryFrames<CountsFrames>()
            .MapEndpoints(endpoints => endpoints.MapGet("/api/notes/count", async (IHeartlineDatabase database) =>
                await database.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT count(*) FROM sample_notes")))
                .RequireAuthorization());
        return builder;
    }

    public sealed record AddNoteArgs(string? Text);

    public sealed record Note(string UserId, string Text);

    public sealed record Added(int Length);

    public sealed record FrameCount(long Frames);

    private sealed class AddNoteCommand(IHeartlineDatabase database, IChannels channels) : ICommandHandler
    {
        public string Name => "notes.add";

        public async ValueTask HandleAsync(CommandContext context)
        {
            if (!context.Principal.Has(Write))
            {
                context.Error(ErrorCodes.Forbidden, "only note takers add notes");
                return;
            }
            var args = context.ReadArgs(NotesJson.Default.AddNoteArgs);
            if (args is null) return;
            if (args.Text is not { Length: > 0 } text || text.Length > 20)
            {
                context.Error(NoteTooLong, "a note has 1-20 characters");
                return;
            }
            await database.WriteAsync((c, tx) => c.ExecuteAsync("INSERT INTO sample_notes (user_id, body) VALUES (@U, @B)",
                new { U = context.Principal.SubjectId, B = text }, tx));
            channels.Publish("notes:" + context.Principal.SubjectId, new Note(context.Principal.SubjectId, text), NotesJson.Default.Note);
            context.Reply(new Added(text.Length), NotesJson.Default.Added);
        }
    }

    /// <summary><c>notes:{user}</c>: a user reads their own notes; only the server publishes.</summary>
    private sealed class NotesPolicy : IChannelPolicy
    {
        public string Namespace => "notes";

        public ErrorCode? CanSubscribe(Principal principal, string path) => path == principal.SubjectId ? null : ErrorCodes.Forbidden;

        public ErrorCode? CanPublish(Principal principal, string path) => ErrorCodes.Forbidden;
    }

    private sealed class NotesScopes : IPresenceScopes
    {
        public void AddScopes(Principal principal, ICollection<string> scopes)
        {
            if (principal.IsInRole(Role)) scopes.Add(Room);
        }

        public bool? CanObserve(Principal principal, string scope) => scope == Room ? principal.IsInRole(Role) : null;
    }

    private sealed class RegistersGoodbye(IDisconnectActions actions) : IConnectionObserver
    {
        public async ValueTask OnConnectedAsync(ClientConnection connection)
        {
            if (connection.Principal!.IsInRole(Role)) await actions.RegisterAsync(connection, Goodbye.KindName, connection.Principal.SubjectId);
        }

        public void OnDisconnected(ClientConnection connection, string reason)
        {
        }
    }

    private sealed class Goodbye(IHeartlineDatabase database) : IDisconnectActionHandler
    {
        public const string KindName = "notes.goodbye";

        public string Kind => KindName;

        public Task RunAsync(DisconnectActionContext context, CancellationToken cancellationToken) =>
            database.WriteAsync((c, tx) => c.ExecuteAsync("INSERT INTO sample_goodbyes (user_id, reason) VALUES (@U, @R)",
                new { U = context.Payload, R = context.Reason }, tx), cancellationToken);
    }

    private sealed class CountsFrames : IBinaryFrameHandler
    {
        private long _frames;

        public byte Kind => FrameKind;

        public ValueTask<BinaryFrameResult> HandleAsync(ClientConnection connection, ReadOnlyMemory<byte> frame)
        {
            if (frame.Length < 2) return ValueTask.FromResult(BinaryFrameResult.Malformed);
            connection.Send(FrameWriter.Push("notes.frames", new FrameCount(Interlocked.Increment(ref _frames)), NotesJson.Default.FrameCount));
            return ValueTask.FromResult(BinaryFrameResult.Accepted);
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(NotesModule.AddNoteArgs))]
[JsonSerializable(typeof(NotesModule.Note))]
[JsonSerializable(typeof(NotesModule.Added))]
[JsonSerializable(typeof(NotesModule.FrameCount))]
internal sealed partial class NotesJson : JsonSerializerContext;
