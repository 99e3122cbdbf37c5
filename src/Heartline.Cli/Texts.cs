namespace Heartline.Cli;

/// <summary>Every user-facing message, in English and Korean.</summary>
internal static class Texts
{
    public const string SeeHelp = "invalid arguments, see --help / 잘못된 인수입니다. --help를 참고하세요";
    public const string ServerUnreachable = "server unreachable / 서버에 연결할 수 없습니다";
    public const string RequestTimedOut = "request timed out / 요청 시간 초과";
    public const string TokenRefused = "token request refused / 토큰 발급 거부";
    public const string DevTokensDisabled = "dev tokens are disabled on this server / 이 서버는 개발용 토큰을 발급하지 않습니다";
    public const string ConnectionFailed = "connection failed / 연결 실패";
    public const string Connected = "connected / 연결됨";
    public const string Disconnected = "disconnected / 연결 끊김";
    public const string Reconnecting = "reconnecting / 재연결 중";
    public const string GaveUp = "stopped reconnecting / 재연결 중단";
    public const string Subscribed = "subscribed / 구독됨";
    public const string SubscribeFailed = "subscribe failed / 구독 실패";
    public const string Recovered = "resubscribed, nothing missed / 재구독됨, 누락 없음";
    public const string NotRecovered = "resubscribed, continuity lost / 재구독됨, 일부 누락 가능";
    public const string TimedOut = "timed out / 시간 초과";
    public const string Unauthorized = "unauthorized: invalid or expired token / 인증 실패: 토큰이 잘못되었거나 만료되었습니다";
    public const string AdminRequired = "forbidden: an admin token is required / 권한 없음: 관리자 토큰이 필요합니다";
    public const string StatsFailed = "stats request failed / 통계 요청 실패";
    public const string SessionEnded = "session ended / 세션을 종료했습니다";
    public const string SessionAlreadyEnded = "the session had already ended / 세션이 이미 종료되었습니다";
    public const string StaleCleaned = "stale cleaner ran; removed / 정리 작업 완료, 정리된 항목";
    public const string UserDisconnected = "connections closed on this node / 이 노드에서 끊은 연결";
    public const string OperatorForbidden = "forbidden / 권한 없음";
    public const string OperatorFailed = "request failed / 요청 실패";
    public const string AccountCreated = "account created / 계정을 만들었습니다";
    public const string AccountTaken = "the login or user id is taken / 이미 있는 아이디입니다";
    public const string PasswordStdin = "--password-stdin is required: the password is read from standard input, never from the command line / --password-stdin이 필요합니다: 비밀번호는 표준 입력으로만 받습니다";
    public const string ClaimFormat = "--claim takes NAME=VALUE / --claim은 이름=값 형식입니다";
    public const string NotFound = "not found (or in another office) / 찾을 수 없습니다 (또는 다른 사무실)";
    public const string InvalidServer = "--server must be an absolute http:// or https:// URL / --server는 http:// 또는 https:// 절대 URL이어야 합니다";
    public const string TokenOrUser = "give --token, or --user to mint a dev token / --token 또는 개발용 토큰을 발급할 --user를 지정하세요";
    public const string MintOptionsWithToken = "--user, --role, --name, --region, --office, --kind and --tenant mint a dev token: leave them out with --token / --token을 지정하면 --user, --role, --name, --region, --office, --kind, --tenant는 쓸 수 없습니다";
    public const string RegionWithOffice = "--region and --office go together (push-to-talk's office), or leave both out / --region과 --office는 함께 지정하거나 둘 다 생략해야 합니다";
    public const string EmptyRole = "--role: give at least one role and no empty one (e.g. --role admin --role viewer or --role admin,viewer) / --role: 빈 역할 없이 하나 이상 지정하세요";
    public const string NameTooLong = "--name: at most 64 characters / --name은 64자 이하여야 합니다";
    public const string TtlRange = "--ttl must be 1 to 604800 seconds (7 days) / --ttl은 1~604800초(7일)여야 합니다";
    public const string SinceBoth = "--since-offset and --since-epoch go together / --since-offset과 --since-epoch는 함께 지정해야 합니다";
    public const string StatsTitle = "Heartline stats / 서버 통계";
    public const string GuestsTitle = "VoIP guests / VoIP 게스트";
    public const string NameColumn = "name / 항목";
    public const string ValueColumn = "value / 값";
    public const string LoadTestRateLimited = "the server refused connections with 429: start it with a higher --Realtime:ConnectRatePerIp (docs/benchmarks.md) / 서버가 연결을 429로 거부했습니다: --Realtime:ConnectRatePerIp를 높여 실행하세요";

    public static string InvalidKind(string kind) =>
        $"--kind must be user, guest or service, not '{kind}' / --kind는 user, guest, service 중 하나여야 합니다 ('{kind}')";

    public static string RepeatedRole(string role) => $"--role: '{role}' is given twice / --role: '{role}' 역할이 두 번 지정되었습니다";

    public static string InvalidId(string option, string value, bool allowUnderscore) => allowUnderscore
        ? $"{option} must be 1-64 of A-Z a-z 0-9 - . @ _, not '{value}' / {option}는 영문자, 숫자, - . @ _ 1~64자여야 합니다"
        : $"{option} must be 1-64 of A-Z a-z 0-9 - . @ (no _), not '{value}' / {option}는 영문자, 숫자, - . @ 1~64자여야 합니다 (_ 불가)";
}
