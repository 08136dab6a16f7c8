/**
 * The seeds' port tables, verbatim (Korean, as published in seeds 002 and 004:
 * the Microsoft pages named in docs/rules.md):
 * [role/protocol/port, source, destination, note] per row. `edgesim ports --notes seed`
 * prints these next to the computed rules; port-rows.ts says which row each
 * computed rule reproduces (PORT-1..PORT-4).
 */
export type SeedTableId = "002-external-nodes" | "002-internal-nodes" | "002-external-vips" | "002-internal-vips" | "004-external" | "004-internal";

export interface SeedTable {
  title: string;
  rows: [label: string, source: string, destination: string, note: string][];
}

export const SEED_TABLES: Record<SeedTableId, SeedTable> = {
  "002-external-nodes": {
    title: "Seed 002: scaled consolidated edge, HLB - external interface, node 1 and node 2",
    rows: [
      ["Access/HTTP/TCP/80","에 지 서버 액세스에 지 서비스 공용 IP 주소","모두","인증서 해지/CRL 검사 및 검색"],
      ["Access/DNS/TCP/53","에 지 서버 액세스에 지 서비스 공용 IP 주소","모두","TCP를 통한 DNS 쿼리"],
      ["Access/DNS/UDP/53","에 지 서버 액세스에 지 서비스 공용 IP 주소","모두","UDP를 통한 DNS 쿼리"],
      ["A/V/RTP/TCP/50000-59999","에 지 서버 A/V에 지 서비스 IP 주소","모두","Office Communications Server 2007, Office Communications Server 2007 R2, Lync Server 2010 및 Lync Server 2013를 실행 하는 파트너와의 페더레이션에 필요 합니다."],
      ["A/V/RTP/UDP/50000-59999","에 지 서버 A/V에 지 서비스 공용 IP 주소","모두","Office Communications Server 2007를 실행 하는 파트너와의 페더레이션에만 필요 합니다."],
      ["A/V/RTP/TCP/50000-59999","모두","에 지 서버 A/V에 지 서비스 공용 IP 주소","Office Communications Server 2007를 실행 하는 파트너와의 페더레이션에만 필요"],
      ["A/V/RTP/UDP/50000-59999","모두","에 지 서버 A/V에 지 서비스 공용 IP 주소","Office Communications Server 2007를 실행 하는 파트너와의 페더레이션에만 필요"],
      ["A/V/STUN, MSTURN/UDP/3478","에 지 서버 A/V에 지 서비스 공용 IP 주소","모두","3478 아웃 바운드는 Lync Server가 통신 중인에 지 서버 및에 지 서버-에 지 서버에서의 미디어 트래픽에 대 한 버전을 확인 하는 데 사용 됩니다. Lync Server 2010, Windows Live Messenger 및 Office Communications Server 2007 R2와의 페더레이션, 그리고 여러 개의에 지 풀이 회사 내에 배포 된 경우에 필요 합니다."],
      ["A/V/STUN, MSTURN/UDP/3478","모두","에 지 서버 A/V에 지 서비스 공용 IP 주소","UDP/3478을 통한 STUN/TURN 후보 협상"],
      ["A/V/STUN, MSTURN/TCP/443","모두","에 지 서버 A/V에 지 서비스 공용 IP 주소","TCP/443을 통한 STUN/TURN 후보 협상"],
      ["A/V/STUN, MSTURN/TCP/443","에 지 서버 A/V에 지 서비스 공용 IP 주소","모두","TCP/443을 통한 STUN/TURN 후보 협상"],
    ],
  },
  "002-internal-nodes": {
    title: "Seed 002: scaled consolidated edge, HLB - internal interface, node 1 and node 2",
    rows: [
      ["XMPP/MTLS/TCP/23456","Any (프런트 엔드 서버 주소 또는 XMPP 게이트웨이 서비스를 실행 하는 프런트 엔드 풀 가상 IP 주소로 정의할 수 있음)","에 지 서버 내부 인터페이스","프런트 엔드 서버 또는 프런트 엔드 풀에서 실행 되는 XMPP 게이트웨이 서비스의 아웃 바운드 XMPP 트래픽"],
      ["HTTPS/TCP/4443","Any (중앙 관리 저장소를 포함 하는 프런트 엔드 서버 서버 IP 또는 풀로 정의 가능)","에지 서버 내부 인터페이스","중앙 관리 저장소에서 에지 서버로 변경 내용 복제"],
      ["PSOM/MTLS/TCP/8057","모두 (디렉터 IP, 프런트 엔드 서버 IP 또는 풀 가상 IP로 정의할 수 있음)","에지 서버 내부 인터페이스","내부 배포에서 내부 에지 서버 인터페이스로의 웹 회의 트래픽"],
      ["STUN/MSTURN/UDP/3478","모두 (디렉터 IP, 프런트 엔드 서버 IP 또는 풀 가상 IP로 정의할 수 있음)","에지 서버 내부 인터페이스","내부 및 외부 사용자 간의 A/V 미디어 전송에 대 한 기본 설정 경로, Sba (survivable Branch 어플라이언스 또는 Sba (survivable Branch Server"],
      ["STUN/MSTURN/TCP/443","모두 (디렉터 IP, 프런트 엔드 서버 IP 또는 풀 가상 IP로 정의할 수 있음)","에지 서버 내부 인터페이스","내부 및 외부 사용자 간 A/V 미디어 전송에 대 한 대체 경로, Sba (survivable Branch 어플라이언스 또는 Sba (survivable Branch Server UDP 통신을 설정할 수 없는 경우 파일 전송 및 데스크톱 공유에 TCP가 사용 됩니다."],
      ["MTLS/TCP/50001","모두","에 지 서버 내부 인터페이스","Lync Server 관리 셸 및 중앙화 된 로깅 서비스 cmdlet, ClsController 명령줄 (ClsController.exe) 또는 에이전트 (ClsAgent.exe) 명령 및 로그 수집을 사용 하는 중앙 로깅 서비스 컨트롤러"],
      ["MTLS/TCP/50002","모두","에 지 서버 내부 인터페이스","Lync Server 관리 셸 및 중앙화 된 로깅 서비스 cmdlet, ClsController 명령줄 (ClsController.exe) 또는 에이전트 (ClsAgent.exe) 명령 및 로그 수집을 사용 하는 중앙 로깅 서비스 컨트롤러"],
      ["MTLS/TCP/50003","모두","에 지 서버 내부 인터페이스","Lync Server 관리 셸 및 중앙화 된 로깅 서비스 cmdlet, ClsController 명령줄 (ClsController.exe) 또는 에이전트 (ClsAgent.exe) 명령 및 로그 수집을 사용 하는 중앙 로깅 서비스 컨트롤러"],
    ],
  },
  "002-external-vips": {
    title: "Seed 002: scaled consolidated edge, HLB - external interface virtual IPs",
    rows: [
      ["XMPP/TCP/5269","모두","XMPP 프록시 서비스 (액세스에 지 서비스를 사용 하는 공유 IP 주소)","정의된 XMPP 페더레이션의 XMPP 연락처로부터 들어오는 트래픽을 XMPP 프록시 서비스에서 허용"],
      ["XMPP/TCP/5269","XMPP 프록시 서비스 (액세스에 지 서비스를 사용 하는 공유 IP 주소)","모두","XMPP 프록시 서비스는 정의 된 XMPP 페더레이션에서 XMPP 연락처로 트래픽을 보냅니다."],
      ["TLS (액세스/SIP)/TCP/443","모두","액세스에 지 서비스 공용 VIP 주소","외부 사용자 액세스를 위한 클라이언트-서버 SIP 트래픽"],
      ["MTLS (액세스/SIP)/TCP/5061","모두","액세스에 지 서비스 공용 VIP 주소","Sip를 사용한 SIP 신호, 페더레이션 및 공용 IM 연결"],
      ["MTLS (액세스/SIP)/TCP/5061","액세스에 지 서비스 공용 VIP 주소","페더레이션 파트너","Sip를 사용한 SIP 신호, 페더레이션 및 공용 IM 연결"],
      ["Web 회의/PSOM (TLS)/TCP/443","모두","에 지 서버 웹 회의에 지 서비스 공용 VIP 주소","웹 회의 미디어"],
      ["A/V/STUN, MSTURN/UDP/3478","모두","에 지 서버 A/V에 지 서비스 공용 VIP 주소","UDP/3478을 통한 STUN/TURN 후보 협상"],
      ["A/V/STUN, MSTURN/TCP/443","모두","에 지 서버 A/V에 지 서비스 공용 VIP 주소","TCP/443을 통한 STUN/TURN 후보 협상"],
    ],
  },
  "002-internal-vips": {
    title: "Seed 002: scaled consolidated edge, HLB - internal interface virtual IPs",
    rows: [
      ["MTLS (액세스/SIP)/TCP/5061","모두 (디렉터, 디렉터 풀 가상 IP 주소, 프런트 엔드 서버 또는 프런트 엔드 풀 가상 IP 주소로 정의할 수 있음)","에 지 서버 내부 VIP 인터페이스","내부에 지 VIP로의 아웃 바운드 SIP 트래픽 (디렉터, 디렉터 풀 가상 IP 주소, 프런트 엔드 서버 또는 프런트 엔드 풀 가상 IP 주소)"],
      ["MTLS (액세스/SIP)/TCP/5061","에 지 서버 내부 VIP 인터페이스","모두 (디렉터, 디렉터 풀 가상 IP 주소, 프런트 엔드 서버 또는 프런트 엔드 풀 가상 IP 주소로 정의할 수 있음)","에 지 서버 내부 인터페이스에서 디렉터, 디렉터 풀 가상 IP 주소, 프런트 엔드 서버 또는 프런트 엔드 풀 가상 IP 주소에 대 한 인바운드 SIP 트래픽"],
      ["SIP/MTLS/TCP/5062","Any (프런트 엔드 서버 IP 주소, 또는 프런트 엔드 풀 IP 주소 또는이에 지 서버를 사용 하는 Sba (survivable 분기 서버로 정의할 수 있음)","에 지 서버 내부 VIP 인터페이스","이에 지 서버를 사용 하 여 프런트 엔드 서버 또는 프런트 엔드 풀 IP 주소 또는 Sba (survivable Branch 기기 또는 Sba (survivable 분기 서버에서 A/V 사용자 인증 (A/V 인증 서비스)"],
      ["STUN/MSTURN/UDP/3478","모두","에 지 서버 내부 VIP 인터페이스","내부 사용자와 외부 사용자 간의 A/V 미디어 전송을 위한 기본 경로"],
      ["STUN/MSTURN/TCP/443","모두","에 지 서버 내부 VIP 인터페이스","UDP 통신을 설정할 수 없는 경우 내부 사용자와 외부 사용자 간 A/V 미디어 전송을 위한 대체 경로, TCP는 파일 전송 및 데스크톱 공유용으로 사용됨"],
      ["STUN/MSTURN/TCP/443","에 지 서버 내부 VIP 인터페이스","모두","UDP 통신을 설정할 수 없는 경우 내부 사용자와 외부 사용자 간 A/V 미디어 전송을 위한 대체 경로, TCP는 파일 전송 및 데스크톱 공유용으로 사용됨"],
    ],
  },
  "004-external": {
    title: "Seed 004: reverse proxy - external interface",
    rows: [
      ["HTTP/TCP/80","모두","역방향 프록시 수신기","(선택 사항) 사용자가 http:// <게시된 사이트 FQDN> 을 입력한 경우 HTTPS로 리디렉션 조직에서 외부 웹 서비스 게시 규칙 인증서를 수정하지 않으려는 상황에서 회의에 Office Web Apps를 사용하며 Lync를 실행하는 모바일 장치에 대해 자동 검색 서비스를 사용하는 경우에도 필요합니다."],
      ["HTTPS/TCP/443","모두","역방향 프록시 수신기","주소록 다운로드, 주소록 웹 쿼리 서비스, 자동 검색, 클라이언트 업데이트, 모임 콘텐츠, 장치 업데이트, 그룹 확장, 회의용 Office Web Apps, 전화 접속 회의 및 모임"],
    ],
  },
  "004-internal": {
    title: "Seed 004: reverse proxy - internal interface",
    rows: [
      ["HTTP/TCP/8080","내부 역방향 프록시 인터페이스","프런트 엔드 서버, 프런트 엔드 풀, 디렉터, 디렉터 풀","조직에서 외부 웹 서비스 게시 규칙 인증서를 수정하지 않으려는 상황에서 Lync를 실행하는 모바일 장치에 대해 자동 검색 서비스를 사용하는 경우 필요합니다. 역방향 프록시 외부 인터페이스에서 포트 80으로 전송된 트래픽은 풀 웹 서비스에서 내부 웹 트래픽과 구분할 수 있도록 역방향 프록시 내부 인터페이스에서 포트 8080을 통해 풀로 리디렉션됩니다."],
      ["HTTPS/TCP/4443","내부 역방향 프록시 인터페이스","프런트 엔드 서버, 프런트 엔드 풀, 디렉터, 디렉터 풀","역방향 프록시 외부 인터페이스에서 포트 443으로 전송된 트래픽은 풀 웹 서비스에서 내부 웹 트래픽과 구분할 수 있도록 역방향 프록시 내부 인터페이스에서 포트 4443을 통해 풀로 리디렉션됩니다."],
      ["HTTPS/TCP/443","내부 역방향 프록시 인터페이스","회의용 Office Web Apps",""],
    ],
  },
};
