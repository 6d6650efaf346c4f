"""KakaoTalk channel: a Kakao i Open Builder skill server (`POST /kakao/skill`)."""
